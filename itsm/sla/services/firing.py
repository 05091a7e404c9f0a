"""The sweep's work: claim due clocks, fire each warning and breach exactly once, escalate.

One batch is one transaction. The claim locks the clock rows and their tasks with
`SKIP LOCKED` on PostgreSQL, so concurrent sweeps split the work and never wait on a task
an agent is editing (that clock is simply taken by the next run). Each clock then fires
through a compare-and-set UPDATE on `(next_event_at, warned_percent)`; the history event,
the timeline entry, the notifications and the escalation steps are written only when that
UPDATE changed the row. Everything is in the batch's transaction, so a worker that dies
mid-batch leaves nothing behind, and the next sweep does the work once. If firing one clock
raises, the batch rolls back and is taken again clock by clock in savepoints: the failing
clock is set aside for a minute and the others fire (the normal path needs no savepoints).

On SQLite (no row locks) the transaction takes the database's write lock when it starts
(`transaction_mode = IMMEDIATE`), so sweeps run one after the other and the
compare-and-set keeps each event single.
"""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet

from itsm.core.models import Task
from itsm.core.services.timeline import record_event
from itsm.notifications.services import notify_user
from itsm.sla import timing
from itsm.sla.choices import ClockStage, EventKind
from itsm.sla.models import SLAClock, SLADefinition, SLAEvent
from itsm.sla.services.escalations import describe, run_escalation_steps
from itsm.sla.timing import Point

logger = logging.getLogger(__name__)

#: A clock whose firing raised is tried again this much later, so it cannot block the others.
RETRY_DELAY = timedelta(minutes=1)


def sweep_due_clocks(cutoff: datetime, limit: int) -> int:
    """Fire what is due at `cutoff` for up to `limit` clocks; returns how many clocks were taken.

    An unlocked look at the index comes first: with nothing due, that one query is the whole
    cost, and no transaction (on SQLite: no write lock) is opened.
    """
    if not first_due(cutoff):
        return 0
    try:
        return _sweep_batch(cutoff, limit, isolated=False)
    except Exception:
        # The whole batch rolled back; take it again clock by clock, each in a savepoint, so the
        # clock that failed is set aside and the others fire. The fast path needs no savepoints.
        logger.exception("SLA sweep batch failed; retrying clock by clock")
        return _sweep_batch(cutoff, limit, isolated=True)


def first_due(cutoff: datetime) -> QuerySet:
    """The sweep's first query: the earliest `next_event_at` at or before the cutoff, if any.

    Ordered on purpose. A plain EXISTS lets PostgreSQL pick a sequential scan over every clock
    whenever the statistics were gathered while many clocks were due (it then expects a match
    within the first pages); ordering by the indexed column keeps it on the index, where the
    entries of clocks fired meanwhile are also marked dead for the next sweep.
    """
    return SLAClock.objects.due(cutoff).order_by("next_event_at").values_list("next_event_at", flat=True)[:1]


def _sweep_batch(cutoff: datetime, limit: int, *, isolated: bool) -> int:
    with transaction.atomic():
        clocks = claim_due_clocks(cutoff, limit)
        if not clocks:
            return 0
        _load_definitions(clocks)
        if isolated:
            for clock in clocks:
                _fire_isolated(clock, cutoff)
        else:
            events: list[SLAEvent] = []
            for clock in clocks:
                fire(clock, cutoff, pending=events)
            SLAEvent.objects.bulk_create(events)  # the batch's history rows in one statement
    return len(clocks)


def claim_due_clocks(cutoff: datetime, limit: int) -> list[SLAClock]:
    """The earliest due clocks with their tasks, locked (PostgreSQL) and skipped if locked elsewhere."""
    queryset = (
        SLAClock.objects.due(cutoff)
        .select_related("task__assignee", "task__assignment_group__lead")
        .order_by("next_event_at")
    )
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self", "task"))
    clocks = list(queryset[:limit])
    tasks: dict[int, Task] = {}
    for clock in clocks:
        # Clocks of one task share one instance: an escalation that changes the task is seen by all.
        clock.task = tasks.setdefault(clock.task_id, clock.task)
    return clocks


def fire(clock: SLAClock, now: datetime, *, pending: list[SLAEvent] | None = None) -> list[SLAEvent]:
    """Fire the clock's due thresholds and breach once; returns its events (none if the CAS lost).

    The events are written now, or appended to `pending` for the caller to write in the same
    transaction.
    """
    calendar = clock.definition.calendar.to_engine()
    points = timing.due_points(clock, calendar, now)
    old_next, old_warned = clock.next_event_at, clock.warned_percent
    warnings = [point for point in points if not point.is_breach]
    if warnings:
        clock.warned_percent = warnings[-1].percent
    if points and points[-1].is_breach:
        clock.breached_at = points[-1].at
    timing.schedule(clock, calendar)
    changed = SLAClock.objects.filter(
        pk=clock.pk, stage=ClockStage.RUNNING, next_event_at=old_next, warned_percent=old_warned
    ).update(
        warned_percent=clock.warned_percent,
        breached_at=clock.breached_at,
        due_at=clock.due_at,
        next_event_at=clock.next_event_at,
    )
    if not changed or not points:
        return []
    events = _announce(clock, points, now)
    if pending is None:
        return SLAEvent.objects.bulk_create(events)
    pending.extend(events)
    return events


def _announce(clock: SLAClock, points: list[Point], now: datetime) -> list[SLAEvent]:
    """Timeline, notification and escalations for points that were just fired; returns their history rows."""
    events = [
        SLAEvent(
            clock=clock,
            kind=EventKind.BREACHED if point.is_breach else EventKind.WARNING,
            percent=point.percent,
            at=point.at,
            detail={"due_at": clock.due_at.isoformat() if clock.due_at else None},
        )
        for point in points
    ]
    for point in points:
        record_event(clock.task, _action(point), actor=None, body=describe(clock, point))
    _notify_owner(clock, points[-1])
    for point in points:
        run_escalation_steps(clock, point, now)
    return events


def _notify_owner(clock: SLAClock, point: Point) -> None:
    """The person who owns the work hears of the latest point: the assignee, else the group's lead."""
    task = clock.task
    owner = (
        task.assignee
        if task.assignee_id
        else (task.assignment_group.lead if task.assignment_group_id else None)
    )
    if owner is None:
        return
    suffix = "breach" if point.is_breach else f"warn:{point.percent}"
    title = (
        f"{task.number} breached its {clock.get_target_display().lower()} target"
        if point.is_breach
        else f"{task.number}: {point.percent}% of its {clock.get_target_display().lower()} target used"
    )
    notify_user(
        owner,
        title=title,
        body=describe(clock, point),
        url=task.get_absolute_url(),
        task=task,
        email_template="task_update",
        dedupe_key=f"sla:{clock.pk}:{suffix}",
    )


def _fire_isolated(clock: SLAClock, now: datetime) -> None:
    """Fire in a savepoint: a clock that fails is logged and retried later, never blocking the batch."""
    old_next = clock.next_event_at
    try:
        with transaction.atomic():
            fire(clock, now)
    except Exception:
        logger.exception("SLA clock %s could not fire; retrying in %s", clock.pk, RETRY_DELAY)
        SLAClock.objects.filter(pk=clock.pk, next_event_at=old_next).update(next_event_at=now + RETRY_DELAY)


def _load_definitions(clocks: list[SLAClock]) -> None:
    ids = {clock.definition_id for clock in clocks}
    definitions = (
        SLADefinition.objects.filter(pk__in=ids)
        .for_matching()
        .prefetch_related("escalation_steps__user", "escalation_steps__team")
    )
    by_id = {definition.pk: definition for definition in definitions}
    for clock in clocks:
        clock.definition = by_id[clock.definition_id]


def _action(point: Point) -> str:
    return "sla.breached" if point.is_breach else "sla.warning"
