"""Attaching and keeping a task's clocks in step with the task, in the task's transaction.

`sync_clocks` reconciles a task's clocks with what the task is now (state category,
priority, group, conditions), so calling it twice changes nothing the second time:

- cancelled task: every open clock is cancelled;
- resolved or closed task: every open clock stops as met (resolving counts as responding);
- first response (`responded_at` set, or `record_response`): the response clock stops as met
  and never starts again;
- reopened task: the resolution clock (and the OLA clock of the same group) that stopped
  with the resolution resumes, keeping the time it had used;
- OLA clock of another group than the task's: stops as met (handed over); the new group's
  OLA clock starts from zero;
- the definition that now applies differs (priority, service, ... changed): the clock is
  re-targeted: same start, time used so far kept, new duration and calendar; a recorded
  breach stays; no definition applies any more: the clock is cancelled;
- pause and resume follow the definition's `pause_on` state categories.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from itsm.core import configcache
from itsm.core.choices import StateCategory
from itsm.core.models import Task
from itsm.sla import timing
from itsm.sla.choices import DONE_CATEGORIES, ClockStage, EventKind, StopReason, Target
from itsm.sla.matching import best_per_target, facts_of
from itsm.sla.models import SLAClock, SLADefinition, SLAEvent

#: Task attributes the clocks depend on; a change to anything else needs no work.
WATCHED_FIELDS = (
    "kind",
    "state_category",
    "priority",
    "requester_id",
    "assignment_group_id",
    "service_id",
    "configuration_item_id",
    "responded_at",
    "category_id",
)


def clock_snapshot(task: Task) -> dict[str, Any]:
    """The values `sync_clocks` compares; take it before changing the task and pass it as `before`."""
    return {name: getattr(task, name, None) for name in WATCHED_FIELDS}


def attach_clocks(task: Task, *, now: datetime | None = None) -> list[SLAClock]:
    """Start the clocks a new task is owed. Call in the transaction that created the task.

    A task created in this transaction has no clocks yet, so none are read or locked.
    """
    return _ClockSync(task, _now(now), new_task=True).run().open_clocks


def sync_clocks(
    task: Task, *, before: Mapping[str, Any] | None, now: datetime | None = None
) -> list[SLAEvent]:
    """Bring the task's clocks in step after a service changed the task; returns the events written.

    `before` maps field names (as in `clock_snapshot`; `assignment_group` etc. may be given
    as instances) to their values before the change; keys left out count as unchanged, and
    nothing is done (no query) when none of the watched fields changed. `None` reconciles
    unconditionally.
    """
    if before is not None and not watched_fields_changed(task, before):
        return []
    return _ClockSync(task, _now(now)).run().events


def record_response(task: Task, *, now: datetime | None = None) -> list[SLAEvent]:
    """The first response went out: the response clock stops as met (callers set `responded_at`)."""
    return _ClockSync(task, _now(now)).respond().events


def watched_fields_changed(task: Task, before: Mapping[str, Any]) -> bool:
    current = clock_snapshot(task)
    for name, value in current.items():
        base = name.removesuffix("_id")
        if name in before:
            old = before[name]
        elif base in before:
            old = before[base]
        else:
            continue
        if _plain(old) != _plain(value):
            return True
    return False


class _ClockSync:
    """One reconciliation of one task's clocks; collects the writes and does them at the end."""

    def __init__(self, task: Task, now: datetime, *, new_task: bool = False) -> None:
        self.task = task
        self.now = now
        self.new_task = new_task
        self.dirty: dict[int, SLAClock] = {}
        self.created: list[SLAClock] = []
        self.pending_events: list[tuple[SLAClock, str, dict]] = []
        self.events: list[SLAEvent] = []
        self.clocks: list[SLAClock] = []

    @property
    def open_clocks(self) -> list[SLAClock]:
        return [clock for clock in [*self.clocks, *self.created] if clock.is_open]

    def run(self) -> "_ClockSync":
        with transaction.atomic(savepoint=False):
            definitions = active_definitions()
            self.clocks = [] if self.new_task else self._lock_clocks(definitions)
            if self.task.state_category == StateCategory.CANCELLED:
                for clock in self.clocks:
                    if clock.is_open:
                        self._stop(clock, ClockStage.CANCELLED, StopReason.TASK_CANCELLED)
            else:
                best = best_per_target(definitions, facts_of(self.task, definitions))
                for target in Target.values:
                    mine = [clock for clock in self.clocks if clock.target == target]
                    self._reconcile(target, mine, best.get(target))
            self._write()
        return self

    def respond(self) -> "_ClockSync":
        with transaction.atomic(savepoint=False):
            self.clocks = self._lock_clocks([])
            for clock in self.clocks:
                if clock.target == Target.RESPONSE and clock.is_open:
                    self._stop(clock, ClockStage.MET, StopReason.RESPONDED)
            self._write()
        return self

    # --- deciding --------------------------------------------------------------------

    def _reconcile(self, target: str, clocks: list[SLAClock], definition: SLADefinition | None) -> None:
        task = self.task
        current = next((clock for clock in clocks if clock.is_open), None)
        if task.state_category in DONE_CATEGORIES:
            if current is not None:
                self._stop(current, ClockStage.MET, StopReason.RESOLVED)
            return
        if target == Target.RESPONSE and (
            task.responded_at or any(c.stage == ClockStage.MET for c in clocks)
        ):
            if current is not None:
                self._stop(current, ClockStage.MET, StopReason.RESPONDED)
            return
        if target == Target.OLA and current is not None and current.team_id != task.assignment_group_id:
            self._stop(current, ClockStage.MET, StopReason.HANDED_OVER)
            current = None
        if current is None:
            current = self._reopen(target, clocks)
        if current is None:
            if definition is not None:
                self._attach(definition)
            return
        if definition is None:
            if current.definition.active:
                self._stop(current, ClockStage.CANCELLED, StopReason.NO_LONGER_APPLIES)
                return
        elif definition.pk != current.definition_id:
            self._retarget(current, definition)
        self._apply_pause_rule(current)

    def _reopen(self, target: str, clocks: list[SLAClock]) -> SLAClock | None:
        """The clock that stopped when the task was resolved, if the task is active again."""
        if target == Target.RESPONSE:
            return None
        candidates = [
            clock
            for clock in clocks
            if clock.stage == ClockStage.MET
            and clock.stop_reason == StopReason.RESOLVED
            and (target != Target.OLA or clock.team_id == self.task.assignment_group_id)
        ]
        if not candidates:
            return None
        clock = max(candidates, key=lambda c: (c.stopped_at, c.pk))
        clock.stage, clock.stop_reason, clock.stopped_at = ClockStage.RUNNING, StopReason.NONE, None
        clock.running_since, clock.paused_since = self.now, None
        self._changed(clock, EventKind.RESUMED, reason="task reopened")
        return clock

    # --- changing ----------------------------------------------------------------------

    def _attach(self, definition: SLADefinition) -> None:
        clock = SLAClock(
            task_id=self.task.pk,
            definition=definition,
            target=definition.target,
            team_id=self.task.assignment_group_id if definition.target == Target.OLA else None,
            started_at=self.now,
            running_since=self.now,
            elapsed=timedelta(0),
            target_duration=definition.duration,
        )
        self.created.append(clock)
        self.pending_events.append((clock, EventKind.ATTACHED, {"definition": definition.name}))
        self._apply_pause_rule(clock)
        timing.schedule(clock, definition.calendar.to_engine())

    def _stop(self, clock: SLAClock, stage: str, reason: str) -> None:
        timing.bank(clock, clock.definition.calendar.to_engine(), self.now)
        clock.stage, clock.stop_reason, clock.stopped_at = stage, reason, self.now
        clock.running_since = clock.paused_since = clock.next_event_at = None
        kind = EventKind.MET if stage == ClockStage.MET else EventKind.CANCELLED
        self._changed(
            clock,
            kind,
            reason=reason,
            used_seconds=int(clock.elapsed.total_seconds()),
            within_target=clock.breached_at is None,
        )

    def _retarget(self, clock: SLAClock, definition: SLADefinition) -> None:
        """New definition, same start: the time used so far is kept; a recorded breach stays."""
        old = clock.definition
        timing.bank(clock, old.calendar.to_engine(), self.now)
        clock.definition, clock.target_duration = definition, definition.duration
        self._changed(
            clock,
            EventKind.RETARGETED,
            old_definition=old.name,
            new_definition=definition.name,
            old_seconds=int(old.duration.total_seconds()),
            new_seconds=int(definition.duration.total_seconds()),
            priority=self.task.priority,
        )

    def _apply_pause_rule(self, clock: SLAClock) -> None:
        should_pause = self.task.state_category in clock.definition.pause_on
        if clock.stage == ClockStage.RUNNING and should_pause:
            timing.bank(clock, clock.definition.calendar.to_engine(), self.now)
            clock.stage, clock.running_since, clock.paused_since = ClockStage.PAUSED, None, self.now
            self._changed(clock, EventKind.PAUSED, state_category=self.task.state_category)
        elif clock.stage == ClockStage.PAUSED and not should_pause:
            clock.stage, clock.running_since, clock.paused_since = ClockStage.RUNNING, self.now, None
            self._changed(clock, EventKind.RESUMED, state_category=self.task.state_category)

    def _changed(self, clock: SLAClock, kind: str, **detail: Any) -> None:
        if clock.pk is not None:
            self.dirty[clock.pk] = clock
        self.pending_events.append((clock, kind, detail))

    # --- writing -----------------------------------------------------------------------

    def _lock_clocks(self, definitions: list[SLADefinition]) -> list[SLAClock]:
        """The task's clocks except cancelled ones, locked in primary-key order."""
        queryset = SLAClock.objects.filter(task_id=self.task.pk).exclude(stage=ClockStage.CANCELLED)
        if connection.features.has_select_for_update:
            queryset = queryset.select_for_update()
        clocks = list(queryset.order_by("pk"))
        _attach_definitions(clocks, {d.pk: d for d in definitions})
        return clocks

    def _write(self) -> None:
        # Stopped clocks first: the one-open-clock-per-target constraint holds after each statement.
        for clock in self.dirty.values():
            timing.schedule(clock, clock.definition.calendar.to_engine())
            clock.save(update_fields=CLOCK_STATE_FIELDS)
        SLAClock.objects.bulk_create(self.created)
        self.events = SLAEvent.objects.bulk_create(
            SLAEvent(clock=clock, kind=kind, at=self.now, detail=detail)
            for clock, kind, detail in self.pending_events
        )


CLOCK_STATE_FIELDS = [
    "definition",
    "stage",
    "stop_reason",
    "running_since",
    "paused_since",
    "elapsed",
    "target_duration",
    "due_at",
    "warned_percent",
    "breached_at",
    "stopped_at",
    "next_event_at",
]


def active_definitions() -> list[SLADefinition]:
    """The active definitions with their calendars, in precedence order: the process's copy.

    Every create and most task changes match against them; `SlaConfig.ready` makes a change
    to a definition or a calendar forget the copy (see `itsm.core.configcache`).
    """
    return configcache.cached(DEFINITIONS_CACHE, lambda: list(SLADefinition.objects.active().for_matching()))


DEFINITIONS_CACHE = "sla.active-definitions"


def _attach_definitions(clocks: list[SLAClock], known: dict[int, SLADefinition]) -> None:
    """Give each clock its definition (with calendar rules), loading inactive ones if needed."""
    missing = {clock.definition_id for clock in clocks} - set(known)
    if missing:
        known = {**known, **{d.pk: d for d in SLADefinition.objects.filter(pk__in=missing).for_matching()}}
    for clock in clocks:
        clock.definition = known[clock.definition_id]


def _now(now: datetime | None) -> datetime:
    if now is None:
        return timezone.now()
    if timezone.is_naive(now):
        raise ValueError("`now` must be time-zone aware")
    return now


def _plain(value: Any) -> Any:
    return getattr(value, "pk", value)
