"""Celery tasks of the incident practice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from incidents.models import Incident
from incidents.services import close_incident
from incidents.workflow import RESOLVED
from itsm.core.exceptions import DomainError

AUTO_CLOSE_BATCH = 200


@shared_task(name="incidents.auto_close", ignore_result=True)
def auto_close_resolved() -> int:
    """Close incidents resolved longer ago than INCIDENT_AUTO_CLOSE_DAYS, a batch per run.

    Each close goes through the service (timeline, version) with no actor; an incident
    reopened meanwhile is skipped by the workflow check. Re-enqueues while batches are full.
    """
    cutoff = timezone.now() - timedelta(days=settings.INCIDENT_AUTO_CLOSE_DAYS)
    due = list(
        Incident.objects.filter(state=RESOLVED, resolved_at__lt=cutoff).order_by("resolved_at")[
            :AUTO_CLOSE_BATCH
        ]
    )
    closed = 0
    for incident in due:
        try:
            close_incident(incident, actor=None)
            closed += 1
        except DomainError:
            continue
    if len(due) == AUTO_CLOSE_BATCH:
        auto_close_resolved.apply_async(countdown=1)
    return closed
