"""Celery beat keeps the Requests board's rollup fresh (schedule in settings: every REFRESH_MINUTES)."""

from celery import shared_task

from catalog import rollups


@shared_task(name="catalog.refresh_request_rollups")
def refresh_request_rollups() -> int:
    """Recompute today and the days touched since the last run; returns how many days."""
    return rollups.refresh()
