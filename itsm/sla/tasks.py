"""Celery tasks of the SLA app: the sweep (beat, every few seconds) and calendar re-computations."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from itsm.sla.services.firing import sweep_due_clocks
from itsm.sla.services.recompute import run_recompute

#: Clocks one sweep run takes; a full batch means more may be due, so the run re-enqueues itself.
#: The batch's tasks stay locked until it commits (about a second), so it is kept small.
SWEEP_BATCH = 200


@shared_task(name="sla.sweep", ignore_result=True)
def sweep() -> int:
    """Fire the warnings and breaches due now, exactly once each; returns how many clocks were taken.

    The cutoff is taken once, at the start. Beat sends this every few seconds with `expires`,
    so a backlog of beat messages after an outage collapses; the first run that gets through
    catches up, re-enqueueing itself while full batches come back.
    """
    batch = getattr(settings, "SLA_SWEEP_BATCH", SWEEP_BATCH)
    taken = sweep_due_clocks(timezone.now(), batch)
    if taken >= batch:
        sweep.apply_async()
    return taken


@shared_task(name="sla.recompute_clocks", ignore_result=True)
def recompute_clocks(job_id: int) -> int:
    """Re-compute due times of the running clocks on a changed calendar or definition."""
    return run_recompute(job_id).done
