"""Re-computing running clocks after their calendar or definition changed, in the background.

Batches walk the clocks in primary-key order (keyset, never OFFSET), each in its own short
transaction that locks only that batch's clock rows. The sweep takes due clocks with
`SKIP LOCKED`, so it never waits on this job: a clock locked here is fired by the next
sweep. Progress is written after every batch and the job resumes after `last_clock_id`.
"""

import logging

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from itsm.sla import timing
from itsm.sla.choices import RecomputeStatus
from itsm.sla.models import ClockRecompute, SLAClock, SLADefinition
from itsm.sla.services.calendars import clocks_in_scope

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 500


def run_recompute(job_id: int, *, batch_size: int = RECOMPUTE_BATCH) -> ClockRecompute:
    """Run (or continue) a re-computation to the end; returns the finished progress row."""
    job = ClockRecompute.objects.get(pk=job_id)
    if job.status == RecomputeStatus.DONE:
        return job
    scope = clocks_in_scope(calendar_id=job.calendar_id, definition_id=job.definition_id)
    ClockRecompute.objects.filter(pk=job.pk).update(
        status=RecomputeStatus.RUNNING,
        started_at=job.started_at or timezone.now(),
        total=F("done") + scope.filter(pk__gt=job.last_clock_id).count(),
    )
    try:
        while _run_batch(job, scope, batch_size) == batch_size:
            pass
    except Exception as error:
        logger.exception("SLA re-computation %s failed", job.pk)
        ClockRecompute.objects.filter(pk=job.pk).update(
            status=RecomputeStatus.FAILED, error=str(error)[:2000]
        )
        raise
    ClockRecompute.objects.filter(pk=job.pk).update(status=RecomputeStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _run_batch(job: ClockRecompute, scope, batch_size: int) -> int:
    with transaction.atomic():
        queryset = scope.filter(pk__gt=job.last_clock_id).order_by("pk")
        if connection.features.has_select_for_update:
            queryset = queryset.select_for_update(of=("self",))
        clocks = list(queryset[:batch_size])
        if not clocks:
            return 0
        definitions = {
            d.pk: d
            for d in SLADefinition.objects.filter(pk__in={c.definition_id for c in clocks}).for_matching()
        }
        for clock in clocks:
            clock.definition = definitions[clock.definition_id]
            clock.target_duration = clock.definition.duration
            timing.schedule(clock, clock.definition.calendar.to_engine())
        SLAClock.objects.bulk_update(clocks, ["target_duration", "due_at", "next_event_at"])
        job.last_clock_id = clocks[-1].pk
        job.done += len(clocks)
        ClockRecompute.objects.filter(pk=job.pk).update(last_clock_id=job.last_clock_id, done=job.done)
    return len(clocks)
