"""Business calendars: a time zone, weekly working windows and holidays."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import models

from itsm.core.models.people import validate_time_zone
from itsm.sla.choices import Weekday
from itsm.sla.engine import MINUTES_PER_DAY, BusinessCalendar, CalendarError
from itsm.sla.querysets import CalendarQuerySet

MIDNIGHT = time(0, 0)


class Calendar(models.Model):
    """When SLA clocks run. Every definition measures its target on one calendar.

    A calendar must have working time: the engine refuses one without (so no clock can ever
    loop looking for an opening), and every write path (services, admin, API, `clean`) checks
    that through `engine_calendar`.

    Every save renews `rules_token`; the services and the admin save the calendar whenever
    its windows or holidays change, so a token always names one set of rules and the engine
    calendar built for it is cached per process (see `to_engine`).
    """

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA name, e.g. Europe/Berlin."
    )
    description = models.TextField(blank=True)
    rules_token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.rules_token = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "rules_token", "updated_at"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """A stored calendar must still have working time (its windows are checked by the engine)."""
        if self.pk and self.time_zone:
            rows = WorkingWindow.objects.filter(calendar_id=self.pk).values_list("weekday", "start", "end")
            engine_calendar(self.time_zone, rows)

    def to_engine(self) -> BusinessCalendar:
        """The engine's calendar, cached per process by `(id, rules_token)`.

        On a miss it reads `windows.all()` and `holidays.all()`: load many calendars with
        `Calendar.objects.with_rules()` to read them in two queries for the whole list.
        """
        key = (self.pk, self.rules_token)
        engine = _ENGINES.get(key) if self.pk else None
        if engine is None:
            engine = engine_calendar(
                self.time_zone,
                ((w.weekday, w.start, w.end) for w in self.windows.all()),
                (h.date for h in self.holidays.all()),
            )
            if self.pk:
                if len(_ENGINES) >= MAX_CACHED_ENGINES:
                    _ENGINES.clear()
                _ENGINES[key] = engine
        return engine


#: Engine calendars by (calendar id, rules token); a change of rules comes with a new token.
_ENGINES: dict[tuple[int, uuid.UUID], BusinessCalendar] = {}
MAX_CACHED_ENGINES = 512


class WorkingWindow(models.Model):
    """Working time on one weekday, in the calendar's local time; several per day are allowed.

    An end of 00:00 means midnight at the end of the day, so 00:00–00:00 is the whole day.
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["calendar", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and not window_is_valid(self.start, self.end):
            raise ValidationError({"end": "A working window must end after it starts (00:00 is midnight)."})


class Holiday(models.Model):
    """A local date on which the calendar has no working time."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


def window_is_valid(start: time, end: time) -> bool:
    return end == MIDNIGHT or start < end


def engine_calendar(
    time_zone: str, windows: Iterable[tuple[int, time, time]], holidays: Iterable[date] = ()
) -> BusinessCalendar:
    """The engine's calendar from plain rows; an unusable calendar is a ValidationError by field."""
    per_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for weekday, start, end in windows:
        end_minute = MINUTES_PER_DAY if end == MIDNIGHT else end.hour * 60 + end.minute
        per_day[weekday].append((start.hour * 60 + start.minute, end_minute))
    try:
        # The engine rejects unknown zones itself; `validate_time_zone` lists every zone on disk
        # and is far too slow for a function that runs whenever clocks are computed.
        return BusinessCalendar.build(time_zone, per_day, holidays)
    except CalendarError as error:
        field = "time_zone" if "time zone" in str(error) else "windows"
        raise ValidationError({field: str(error)}) from None
