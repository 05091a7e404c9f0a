"""Fixtures for the SLA tests: calendars, a definition maker, and a task changed like a service would."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import transaction

from itsm.core.models import Task
from itsm.sla.choices import Target
from itsm.sla.models import SLADefinition
from itsm.sla.services import attach_clocks, clock_snapshot, create_calendar, sync_clocks
from itsm.sla.services.calendars import full_day_windows
from tests.factories import TaskFactory

#: A Wednesday, 09:00 UTC.
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Persona fixtures hash a password each; the SLA tests do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen(time_machine):
    """Time stands still at T0 until the test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def always_open(db):
    return create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())


@pytest.fixture
def office_hours(db):
    """Mon–Fri 08:00–12:00 and 13:00–17:00 in Berlin."""
    windows = [
        {"weekday": day, "start": time(*start), "end": time(*end)}
        for day in range(5)
        for start, end in (((8, 0), (12, 0)), ((13, 0), (17, 0)))
    ]
    return create_calendar(name="Office Berlin", time_zone="Europe/Berlin", windows=windows)


@pytest.fixture
def define(always_open):
    """`define(target, duration, **fields)` creates an active definition (24x7 unless a calendar is given)."""
    counter = iter(range(1, 10_000))

    def make(target: str = Target.RESOLUTION, duration: timedelta = 4 * H, **fields) -> SLADefinition:
        fields.setdefault("calendar", always_open)
        fields.setdefault("name", f"{target} {next(counter)}")
        definition = SLADefinition(target=target, duration=duration, **fields)
        definition.full_clean()
        definition.save()
        return definition

    return make


@pytest.fixture
def new_task(db):
    """`new_task(**fields)` creates a task and attaches its clocks, as a practice's create service does."""

    def make(**fields) -> Task:
        with transaction.atomic():
            task = TaskFactory(**fields)
            attach_clocks(task)
        return task

    return make


def change(task: Task, **fields) -> list:
    """Change fields the way a practice service does: snapshot, mutate, save, sync — one transaction."""
    with transaction.atomic():
        before = clock_snapshot(task)
        for name, value in fields.items():
            setattr(task, name, value)
        task.save()
        return sync_clocks(task, before=before)


def clock_of(task: Task, target: str = Target.RESOLUTION, *, open_only: bool = True):
    clocks = task.sla_clocks.filter(target=target).order_by("-pk")
    if open_only:
        clocks = clocks.filter(stage__in=["running", "paused"])
    return clocks.first()


def event_kinds(clock) -> list[str]:
    return list(clock.events.order_by("pk").values_list("kind", flat=True))
