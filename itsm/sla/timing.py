"""A clock's position on its calendar: time used, due time, and the next warning or breach.

The engine does the arithmetic; this module applies it to a clock's fields. A point is a
percentage of the target (100 is the breach). Only a running clock moves: its time used is
`elapsed` plus the business time since `running_since`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsm.sla.choices import ClockStage
from itsm.sla.engine import ZERO, BusinessCalendar, add_business_time, business_time_between
from itsm.sla.models import SLAClock

BREACH = 100


@dataclass(frozen=True)
class Point:
    """A threshold (or the breach, percent 100) and the instant the clock reaches it."""

    percent: int
    at: datetime

    @property
    def is_breach(self) -> bool:
        return self.percent == BREACH


def used(clock: SLAClock, calendar: BusinessCalendar, now: datetime) -> timedelta:
    """Business time the clock has used up to `now`."""
    if clock.stage != ClockStage.RUNNING or clock.running_since is None:
        return clock.elapsed
    return clock.elapsed + max(business_time_between(clock.running_since, now, calendar), ZERO)


def remaining(clock: SLAClock, calendar: BusinessCalendar, now: datetime) -> timedelta:
    """Business time left before the breach; negative when overdue."""
    return clock.target_duration - used(clock, calendar, now)


def bank(clock: SLAClock, calendar: BusinessCalendar, now: datetime) -> None:
    """Move the running stretch into `elapsed` and restart the stretch at `now`."""
    if clock.stage == ClockStage.RUNNING and clock.running_since is not None:
        clock.elapsed = used(clock, calendar, now)
        clock.running_since = now


def point_at(clock: SLAClock, calendar: BusinessCalendar, percent: int) -> datetime:
    """When a running clock reaches `percent` of its target (`running_since` if it already has)."""
    share = clock.target_duration * percent / 100 - clock.elapsed
    return add_business_time(clock.running_since, max(share, ZERO), calendar)


def pending_percents(clock: SLAClock) -> list[int]:
    """Thresholds not fired yet, then the breach; nothing once the breach is recorded."""
    if clock.breached_at is not None:
        return []
    thresholds = sorted(p for p in clock.definition.warning_thresholds if p > clock.warned_percent)
    return [*thresholds, BREACH]


def schedule(clock: SLAClock, calendar: BusinessCalendar) -> None:
    """Set `due_at` and `next_event_at` from the clock's fields (both empty unless running)."""
    if clock.stage != ClockStage.RUNNING:
        if clock.stage == ClockStage.PAUSED:
            clock.due_at = None
        clock.next_event_at = None
        return
    clock.due_at = point_at(clock, calendar, BREACH)
    pending = pending_percents(clock)
    if not pending:
        clock.next_event_at = None
    elif pending[0] == BREACH:
        clock.next_event_at = clock.due_at
    else:
        clock.next_event_at = point_at(clock, calendar, pending[0])


def due_points(clock: SLAClock, calendar: BusinessCalendar, now: datetime) -> list[Point]:
    """The pending thresholds (and the breach) a running clock has reached by `now`, in order.

    After a long pause of the sweep (broker down) several are due at once; each is returned.
    """
    if clock.stage != ClockStage.RUNNING:
        return []
    points = []
    for percent in pending_percents(clock):
        at = point_at(clock, calendar, percent)
        if at > now:
            break
        points.append(Point(percent, at))
    return points
