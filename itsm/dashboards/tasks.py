"""Celery beat keeps the dashboard rollups fresh (schedule in settings: every REFRESH_MINUTES)."""

from celery import shared_task

from itsm.dashboards import caching, rollups


@shared_task(name="dashboards.refresh_rollups")
def refresh_rollups() -> int:
    """Recompute today and the days touched since the last run, then warm the preset periods' figures."""
    days = rollups.refresh()
    caching.warm()
    return days
