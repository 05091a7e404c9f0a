"""Celery beat work of the continual-improvement register."""

from celery import shared_task

from improvements import summary


@shared_task(name="improvements.send_weekly_summaries", ignore_result=True)
def send_weekly_summaries() -> int:
    """Hourly: the weekly dashboard summary to each subscribed manager, once per ISO week."""
    return summary.send_weekly_summaries()
