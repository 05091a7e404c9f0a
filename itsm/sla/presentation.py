"""What pages show about clocks: time used and left, how close to breach, in one query per list."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from itsm.sla import timing
from itsm.sla.choices import ClockStage
from itsm.sla.models import SLAClock


@dataclass(frozen=True)
class ClockView:
    """One clock as a person reads it."""

    name: str
    target: str
    stage: str
    stage_label: str
    due_at: datetime | None
    used: timedelta
    remaining: timedelta
    percent: int
    breached_at: datetime | None
    history: tuple[tuple[datetime, str], ...] = ()

    @property
    def is_open(self) -> bool:
        return self.stage in (ClockStage.RUNNING, ClockStage.PAUSED)

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def colour(self) -> str:
        """Red once breached, then by how much of the target is used; grey when stopped or paused."""
        if self.breached_at is not None or self.overdue:
            return "red"
        if self.stage == ClockStage.MET:
            return "green"
        if self.stage != ClockStage.RUNNING:
            return "grey"
        if self.percent >= 90:
            return "orange"
        if self.percent >= 75:
            return "amber"
        return "teal"


def clock_views(task_id: int, *, now: datetime | None = None) -> list[ClockView]:
    """Every clock of a task with its history, open ones first (two queries)."""
    clocks = (
        SLAClock.objects.filter(task_id=task_id)
        .select_related("definition__calendar")
        .prefetch_related("events")
    )
    views = [view_of(clock, now or timezone.now(), history=_history(clock)) for clock in clocks]
    return sorted(views, key=lambda view: (not view.is_open, view.target))


def nearest_views(task_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, ClockView]:
    """Per task, the running clock that falls due first: the queue's SLA badge (one query)."""
    now = now or timezone.now()
    rows = (
        SLAClock.objects.filter(task_id__in=list(task_ids), stage=ClockStage.RUNNING)
        .select_related("definition__calendar")
        .order_by("task_id", "due_at")
    )
    nearest: dict[int, ClockView] = {}
    for clock in rows:
        if clock.task_id not in nearest:
            nearest[clock.task_id] = view_of(clock, now)
    return nearest


def _history(clock: SLAClock) -> tuple[tuple[datetime, str], ...]:
    """(when, what) per event: 'Warning 75%', 'Paused', 'Breached'..."""
    return tuple(
        (
            event.at,
            f"{event.get_kind_display()} {event.percent}%"
            if event.kind == "warning"
            else event.get_kind_display(),
        )
        for event in clock.events.all()
    )


def view_of(clock: SLAClock, now: datetime, *, history: tuple = ()) -> ClockView:
    calendar = clock.definition.calendar.to_engine()
    used = timing.used(clock, calendar, now)
    total = clock.target_duration.total_seconds() or 1
    return ClockView(
        name=clock.definition.name,
        target=clock.get_target_display(),
        stage=clock.stage,
        stage_label=clock.get_stage_display(),
        due_at=clock.due_at,
        used=used,
        remaining=clock.target_duration - used,
        percent=int(100 * used.total_seconds() / total),
        breached_at=clock.breached_at,
        history=history,
    )


def short_duration(value: timedelta) -> str:
    """'2d 3h', '4h 05m', '12m' — business time, sign dropped."""
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
