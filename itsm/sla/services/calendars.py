"""Writing calendars: create and update with their rules, import public holidays, re-compute clocks.

A calendar is checked as a whole (time zone, windows, holidays) by the engine before it is
saved, so a calendar without working time never reaches the database through these paths.
"""

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

import holidays as public_holidays
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.core.tasks import dispatch_on_commit
from itsm.sla.choices import ClockStage, RecomputeStatus
from itsm.sla.engine import BusinessCalendar
from itsm.sla.models import Calendar, ClockRecompute, Holiday, SLAClock, SLADefinition, WorkingWindow
from itsm.sla.models.calendars import engine_calendar, window_is_valid

#: Years one import may cover (a typo like 20266 must not insert thousands of rows).
MAX_IMPORT_YEARS = 10


def create_calendar(
    *,
    name: str,
    time_zone: str,
    windows: Iterable[Mapping[str, Any]],
    holidays: Iterable[Mapping[str, Any]] = (),
    description: str = "",
) -> Calendar:
    """A calendar with its windows (`weekday`, `start`, `end`) and holidays (`date`, `name`)."""
    calendar = Calendar(name=name.strip(), time_zone=time_zone, description=description)
    windows, holidays = list(windows), list(holidays)
    _check(calendar, windows, holidays)
    with transaction.atomic():
        calendar.save()
        _replace_rules(calendar, windows, holidays)
    return calendar


def update_calendar(
    calendar: Calendar,
    *,
    changes: Mapping[str, Any],
    windows: Iterable[Mapping[str, Any]] | None = None,
    holidays: Iterable[Mapping[str, Any]] | None = None,
) -> Calendar:
    """Change fields and (when given) replace windows or holidays.

    When working time changed (zone, windows or holidays), the running clocks on the
    calendar are re-computed in the background.
    """
    before = Calendar.objects.with_rules().get(pk=calendar.pk).to_engine()
    for name in ("name", "time_zone", "description"):
        if name in changes:
            setattr(calendar, name, changes[name])
    windows = (
        list(windows) if windows is not None else _rows(calendar.windows.all(), "weekday", "start", "end")
    )
    holidays = list(holidays) if holidays is not None else _rows(calendar.holidays.all(), "date", "name")
    after = _check(calendar, windows, holidays)
    with transaction.atomic():
        calendar.save()
        _replace_rules(calendar, windows, holidays)
        if after != before:
            request_recompute(calendar=calendar)
    return calendar


def import_public_holidays(
    calendar: Calendar, *, country: str, subdivision: str = "", years: Iterable[int]
) -> int:
    """Add the public holidays of a country (and subdivision) for the years; returns how many were new.

    Dates the calendar already has keep their name. Uses the `holidays` package's data, offline.
    """
    years = sorted(set(years))
    if not years or len(years) > MAX_IMPORT_YEARS or not all(1900 <= y <= 2200 for y in years):
        raise ValidationError({"years": f"Give 1 to {MAX_IMPORT_YEARS} years between 1900 and 2200."})
    try:
        found = public_holidays.country_holidays(
            country.strip().upper(), subdiv=subdivision.strip().upper() or None, years=years
        )
    except NotImplementedError as error:
        field = "subdivision" if "subdivision" in str(error) else "country"
        raise ValidationError({field: f"No public holidays known: {error}."}) from None
    with transaction.atomic():
        existing = set(calendar.holidays.filter(date__in=list(found)).values_list("date", flat=True))
        new = [
            Holiday(calendar=calendar, date=day, name=name[:200])
            for day, name in sorted(found.items())
            if day not in existing
        ]
        Holiday.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            calendar.save(update_fields=["updated_at"])  # a new rules token: cached engines are stale
            getattr(calendar, "_prefetched_objects_cache", {}).clear()
            request_recompute(calendar=calendar)
    return len(new)


def request_recompute(
    *, calendar: Calendar | None = None, definition: SLADefinition | None = None
) -> ClockRecompute | None:
    """Queue a background re-computation of the running clocks on a calendar or of a definition.

    Returns the progress row, or None when no running clock is affected. The job starts after
    commit; its row stays `queued` if the broker was down, and the admin can start it again.
    """
    from itsm.sla.tasks import recompute_clocks

    if not clocks_in_scope(
        calendar_id=getattr(calendar, "pk", None), definition_id=getattr(definition, "pk", None)
    ).exists():
        return None
    job = ClockRecompute.objects.create(calendar=calendar, definition=definition)
    dispatch_on_commit(recompute_clocks, job.pk)
    return job


def clocks_in_scope(*, calendar_id: int | None, definition_id: int | None):
    """Running clocks a re-computation touches."""
    queryset = SLAClock.objects.filter(stage=ClockStage.RUNNING)
    if definition_id is not None:
        return queryset.filter(definition_id=definition_id)
    return queryset.filter(definition__calendar_id=calendar_id)


def restart_recompute(job: ClockRecompute) -> None:
    """Start a queued, failed or stuck job again; it continues after the last clock it finished."""
    from itsm.sla.tasks import recompute_clocks

    ClockRecompute.objects.filter(pk=job.pk).exclude(status=RecomputeStatus.DONE).update(
        status=RecomputeStatus.QUEUED, error=""
    )
    dispatch_on_commit(recompute_clocks, job.pk)


def _check(
    calendar: Calendar, windows: list[Mapping[str, Any]], holidays: list[Mapping[str, Any]]
) -> BusinessCalendar:
    """The engine's calendar for these rules, or field errors for all of them at once."""
    errors: dict[str, Any] = {}
    try:
        calendar.full_clean(exclude=["created_at", "updated_at"], validate_unique=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    for index, window in enumerate(windows):
        if not window_is_valid(window["start"], window["end"]):
            errors[f"windows.{index}.end"] = [
                "A working window must end after it starts (00:00 is midnight)."
            ]
    days = [holiday["date"] for holiday in holidays]
    if len(set(days)) != len(days):
        errors["holidays"] = ["Each date only once."]
    if errors:
        raise ValidationError(errors)
    return engine_calendar(calendar.time_zone, ((w["weekday"], w["start"], w["end"]) for w in windows), days)


def _replace_rules(
    calendar: Calendar, windows: list[Mapping[str, Any]], holidays: list[Mapping[str, Any]]
) -> None:
    calendar.windows.all().delete()
    calendar.holidays.all().delete()
    WorkingWindow.objects.bulk_create(
        WorkingWindow(calendar=calendar, weekday=w["weekday"], start=w["start"], end=w["end"])
        for w in windows
    )
    Holiday.objects.bulk_create(Holiday(calendar=calendar, date=h["date"], name=h["name"]) for h in holidays)
    # Rows prefetched before the change must not build the engine calendar for the new token.
    getattr(calendar, "_prefetched_objects_cache", {}).clear()


def _rows(queryset, *names: str) -> list[dict[str, Any]]:
    return [{name: getattr(row, name) for name in names} for row in queryset]


def full_day_windows() -> list[dict[str, Any]]:
    """Windows of a 24x7 calendar: every weekday from midnight to midnight."""
    return [{"weekday": day, "start": time(0), "end": time(0)} for day in range(7)]
