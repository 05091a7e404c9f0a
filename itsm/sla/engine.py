"""Business-time arithmetic for SLA clocks. Pure Python: no Django, no database.

A calendar is a time zone, weekly working windows (several per day allowed) and holidays
as local dates. Windows are wall-clock times in the calendar's zone; each is turned into
real instants for its date, so business time is real elapsed time inside working hours,
and DST days simply have a shorter or longer window (a 24x7 calendar has a 23-hour and a
25-hour day each year). A wall-clock bound that falls into the spring DST gap means the
instant the clocks jump; a repeated autumn wall time means its first occurrence.

    calendar = BusinessCalendar.build("Europe/Berlin", {0: [("08:00", "12:00"), ("13:00", "17:00")], ...})
    due = add_business_time(opened_at, timedelta(hours=8), calendar)
    used = business_time_between(opened_at, now, calendar)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60
ZERO = timedelta(0)

#: How far ahead the engine looks for working time before it gives up. Holidays are a
#: finite set, so a valid calendar always has working time within a few years; this only
#: stops a pathological calendar (every working day a holiday for years) from looping.
MAX_DAYS_SCANNED = 366 * 10


class CalendarError(ValueError):
    """A calendar that cannot measure time: no working time, bad windows, unknown zone."""


@dataclass(frozen=True, order=True)
class Window:
    """Working time on one weekday, as minutes after local midnight: [start, end)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise CalendarError(
                f"A working window must start before it ends, within the day "
                f"(got {_clock(self.start)}–{_clock(self.end)})."
            )

    @classmethod
    def parse(cls, start: str | time | int, end: str | time | int) -> Window:
        return cls(_minutes(start), _minutes(end, is_end=True))


@dataclass(frozen=True)
class BusinessCalendar:
    """When the clock runs: `zone`, windows per weekday (0 = Monday), holidays (local dates)."""

    zone: ZoneInfo
    windows: Mapping[int, tuple[Window, ...]]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for weekday, day_windows in self.windows.items():
            if weekday not in range(7):
                raise CalendarError(f"Weekday must be 0 (Monday) to 6 (Sunday), not {weekday}.")
            ordered = sorted(day_windows)
            for earlier, later in zip(ordered, ordered[1:], strict=False):
                if later.start < earlier.end:
                    raise CalendarError(
                        f"Working windows overlap on weekday {weekday}: "
                        f"{_clock(earlier.start)}–{_clock(earlier.end)} and "
                        f"{_clock(later.start)}–{_clock(later.end)}."
                    )
        if not any(self.windows.values()):
            raise CalendarError("The calendar has no working time: add at least one working window.")

    @classmethod
    def build(
        cls,
        zone: str,
        windows: Mapping[int, Iterable[tuple[str | time | int, str | time | int]]],
        holidays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """A calendar from plain values, e.g. `{0: [("08:00", "17:00")]}`."""
        return cls(
            zone=_zone(zone),
            windows={
                day: tuple(sorted(Window.parse(s, e) for s, e in spans)) for day, spans in windows.items()
            },
            holidays=frozenset(holidays),
        )

    @classmethod
    def always_open(cls, zone: str = "UTC") -> BusinessCalendar:
        """24x7: every instant is working time."""
        return cls.build(zone, {day: [(0, MINUTES_PER_DAY)] for day in range(7)})

    def intervals_from(self, instant: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals in UTC, in order, from the one containing or following `instant`."""
        _require_aware(instant)
        day = instant.astimezone(self.zone).date() - timedelta(days=1)
        days_without_work = 0
        while True:
            found = False
            for opens, closes in self._day_intervals(day):
                found = True
                if closes > instant:
                    yield opens, closes
            days_without_work = 0 if found else days_without_work + 1
            if days_without_work > MAX_DAYS_SCANNED:
                raise CalendarError(
                    f"No working time within {MAX_DAYS_SCANNED} days of {instant.isoformat()}."
                )
            day += timedelta(days=1)

    def _day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        if day in self.holidays:
            return
        for window in self.windows.get(day.weekday(), ()):
            opens = _instant(day, window.start, self.zone)
            closes = _instant(day, window.end, self.zone)
            if closes > opens:
                yield opens, closes


def add_business_time(start: datetime, duration: timedelta, calendar: BusinessCalendar) -> datetime:
    """The instant when `duration` of working time has passed since `start`.

    A start outside working hours counts from the next opening. A target that ends exactly
    at a window's end is due at that end, not at the next opening. Returned in `start`'s zone.
    """
    _require_aware(start)
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if duration == ZERO:
        return start
    remaining = duration
    for opens, closes in calendar.intervals_from(start):
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return (begin + remaining).astimezone(start.tzinfo)
        remaining -= available
    raise AssertionError("unreachable: intervals_from never ends")


def business_time_between(a: datetime, b: datetime, calendar: BusinessCalendar) -> timedelta:
    """Working time from `a` to `b`; negative when `b` is before `a` (time overdue)."""
    _require_aware(a)
    _require_aware(b)
    if b < a:
        return -business_time_between(b, a, calendar)
    total = ZERO
    for opens, closes in calendar.intervals_from(a):
        if opens >= b:
            break
        total += min(closes, b) - max(opens, a)
    return total


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The real instant (UTC) of a wall-clock minute on a local date.

    A repeated wall time (autumn) means its first occurrence. A wall time that does not
    exist (inside the spring gap) means the instant the clocks jump, so the mapping never
    runs backwards and windows on either side of a gap can never overlap.
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    return _gap_end(wall.replace(tzinfo=zone, fold=1).astimezone(UTC), instant, zone)


def _gap_end(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in [low, high] with the post-gap offset (binary search to the second)."""
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"A time-zone-aware datetime is required, got naive {value.isoformat()}.")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"Unknown time zone {name!r} (use an IANA name like Europe/Berlin).") from None


def _minutes(value: str | time | int, *, is_end: bool = False) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    text = value.strip()
    if is_end and text in ("24:00", "24:00:00"):
        return MINUTES_PER_DAY
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise CalendarError(f"{value!r} is not a time of day (use HH:MM).") from None
    return parsed.hour * 60 + parsed.minute


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
