"""Celery beat work of the supplier practice."""

from celery import shared_task

from suppliers import services


@shared_task(name="suppliers.remind_renewals", ignore_result=True)
def remind_renewals() -> int:
    """Daily: remind contract owners whose notice date is near (once per notice date)."""
    return services.remind_renewals()
