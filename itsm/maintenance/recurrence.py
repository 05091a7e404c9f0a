"""Occurrences of a recurring window. Pure Python: no Django, no database.

A rule is wall-clock time in a time zone: "every Sunday 01:00 for 4 hours, Europe/Berlin".
Each occurrence starts at the wall-clock start on its local date and ends at the wall-clock
time `duration` later (so "01:00 for 4 hours" is 01:00–05:00 local on every date, and on a
DST date it lasts 3 or 5 real hours, as people reading the rule expect). A wall time inside
the spring gap means the instant the clocks jump; a repeated autumn wall time means its
first occurrence. Instants returned are aware UTC datetimes.

Frequencies: once, daily, weekly (on chosen weekdays), monthly (on the start date's day of
the month, its n-th weekday, or its last weekday), each with an interval ("every 2 weeks")
and an optional last date (`until`, a local date, inclusive). A monthly rule on day 31
skips months without one, as RFC 5545 does.

    rule = Rule(zone=ZoneInfo("Europe/Berlin"), starts_on=date(2025, 1, 5), start_time=time(1),
                duration=timedelta(hours=4), frequency=Frequency.WEEKLY, weekdays=(6,))
    for occurrence in occurrences(rule, window_start, window_end): ...
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

#: The longest span `occurrences` expands; a caller asking for more gets a ValueError
#: rather than a loop over centuries of dates.
MAX_SPAN = timedelta(days=3 * 366)


class RecurrenceError(ValueError):
    """A rule that cannot produce occurrences (no weekday for a weekly rule, a bad interval...)."""


class Frequency(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class MonthlyBy(StrEnum):
    """Which day of each month a monthly rule falls on, taken from its first date."""

    DAY = "day"  # the same day number (the 15th)
    NTH_WEEKDAY = "nth_weekday"  # the same n-th weekday (the 2nd Tuesday)
    LAST_WEEKDAY = "last_weekday"  # the same weekday, last in the month (the last Friday)


@dataclass(frozen=True)
class Rule:
    """A recurring window in wall-clock terms; `weekdays` are 0 (Monday) to 6 (Sunday)."""

    zone: ZoneInfo
    starts_on: date
    start_time: time
    duration: timedelta
    frequency: Frequency = Frequency.ONCE
    interval: int = 1
    weekdays: tuple[int, ...] = field(default=())
    monthly_by: MonthlyBy = MonthlyBy.DAY
    until: date | None = None

    def __post_init__(self) -> None:
        for problem in rule_problems(self):
            raise RecurrenceError(problem)


def rule_problems(rule: Rule) -> list[str]:
    """What is wrong with a rule, in words a form can show (empty when it is valid)."""
    problems = []
    if rule.duration <= timedelta(0):
        problems.append("A window must last longer than zero minutes.")
    if rule.interval < 1:
        problems.append("The interval must be 1 or more.")
    if any(day not in range(7) for day in rule.weekdays):
        problems.append("Weekdays must be 0 (Monday) to 6 (Sunday).")
    if rule.frequency == Frequency.WEEKLY and not rule.weekdays:
        problems.append("A weekly window needs at least one weekday.")
    if rule.until is not None and rule.until < rule.starts_on:
        problems.append("The last date must not be before the first date.")
    return problems


@dataclass(frozen=True, order=True)
class Occurrence:
    """One occurrence of a rule: [start, end) as aware UTC datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def occurrences(rule: Rule, start: datetime, end: datetime) -> Iterator[Occurrence]:
    """The occurrences of `rule` that overlap [start, end), in order.

    An occurrence that began before `start` and is still running is included.
    """
    _require_aware(start)
    _require_aware(end)
    if end - start > MAX_SPAN:
        raise ValueError(f"Expand at most {MAX_SPAN.days} days of a rule at a time.")
    if end <= start:
        return
    # Local dates to look at: an occurrence overlapping `start` began at most `duration`
    # (plus a day for zone offsets) earlier.
    first = (start - rule.duration).astimezone(rule.zone).date() - timedelta(days=1)
    last = end.astimezone(rule.zone).date() + timedelta(days=1)
    first = max(first, rule.starts_on)
    if rule.until is not None:
        last = min(last, rule.until)
    day = first
    while day <= last:
        if falls_on(rule, day):
            occurrence = occurrence_on(rule, day)
            if occurrence.overlaps(start, end):
                yield occurrence
        day += timedelta(days=1)


def falls_on(rule: Rule, day: date) -> bool:
    """Whether an occurrence of `rule` starts on local date `day`."""
    if day < rule.starts_on or (rule.until is not None and day > rule.until):
        return False
    if rule.frequency == Frequency.ONCE:
        return day == rule.starts_on
    if rule.frequency == Frequency.DAILY:
        return (day - rule.starts_on).days % rule.interval == 0
    if rule.frequency == Frequency.WEEKLY:
        weeks = (_monday(day) - _monday(rule.starts_on)).days // 7
        return day.weekday() in rule.weekdays and weeks % rule.interval == 0
    months = (day.year - rule.starts_on.year) * 12 + day.month - rule.starts_on.month
    return months % rule.interval == 0 and _monthly_match(rule, day)


def occurrence_on(rule: Rule, day: date) -> Occurrence:
    """The occurrence starting on local date `day` (which the caller checked with `falls_on`)."""
    wall_start = datetime.combine(day, rule.start_time)
    return Occurrence(instant(wall_start, rule.zone), instant(wall_start + rule.duration, rule.zone))


def instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive local wall time (gap: the jump; repeated: the first)."""
    guess = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if guess.astimezone(zone).replace(tzinfo=None) == wall:
        return guess
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _jump(min(low, guess), max(low, guess), zone)


def _jump(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in [low, high] with `high`'s offset (binary search to the second)."""
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _monthly_match(rule: Rule, day: date) -> bool:
    first = rule.starts_on
    if rule.monthly_by == MonthlyBy.DAY:
        return day.day == first.day
    if day.weekday() != first.weekday():
        return False
    if rule.monthly_by == MonthlyBy.NTH_WEEKDAY:
        return (day.day - 1) // 7 == (first.day - 1) // 7
    return day.day + 7 > calendar.monthrange(day.year, day.month)[1]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"A time-zone-aware datetime is required, got naive {value.isoformat()}.")


def describe(rule: Rule) -> str:
    """The rule in a sentence: "Every 2 weeks on Sat, Sun at 22:00 for 6 h (Europe/Berlin)"."""
    names = [calendar.day_abbr[day] for day in sorted(rule.weekdays)]
    hours, minutes = divmod(int(rule.duration.total_seconds()) // 60, 60)
    length = f"{hours} h" + (f" {minutes} min" if minutes else "") if hours else f"{minutes} min"
    at = f"at {rule.start_time:%H:%M} for {length} ({rule.zone.key})"
    every = "" if rule.interval == 1 else f" {rule.interval}"
    unit = {Frequency.DAILY: "day", Frequency.WEEKLY: "week", Frequency.MONTHLY: "month"}
    if rule.frequency == Frequency.ONCE:
        return f"Once on {rule.starts_on:%Y-%m-%d} {at}"
    plural = "s" if rule.interval > 1 else ""
    text = f"Every{every} {unit[rule.frequency]}{plural}"
    if rule.frequency == Frequency.WEEKLY:
        text += f" on {', '.join(names)}"
    elif rule.frequency == Frequency.MONTHLY:
        text += _monthly_phrase(rule)
    text += f" {at}"
    if rule.until:
        text += f", until {rule.until:%Y-%m-%d}"
    return text


def _monthly_phrase(rule: Rule) -> str:
    first = rule.starts_on
    weekday = calendar.day_name[first.weekday()]
    if rule.monthly_by == MonthlyBy.DAY:
        return f" on day {first.day}"
    if rule.monthly_by == MonthlyBy.LAST_WEEKDAY:
        return f" on the last {weekday}"
    nth = ("first", "second", "third", "fourth", "fifth")[(first.day - 1) // 7]
    return f" on the {nth} {weekday}"
