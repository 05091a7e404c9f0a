"""The write path and the questions other apps ask about windows.

Writes: `create_window`, `update_window`, `set_window_scope`, `deactivate_window` (validated
with the model's checks, one transaction). Reads: `occurrences_between` expands the windows
that touch a period and a scope into concrete occurrences; `uncovered_by_maintenance` says
which part of a period no maintenance window covers.

Scope: a window scoped to a service covers the CIs that deliver it (`ServiceComponent`),
so a change on the payroll database falls into the "Payroll year-end freeze".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from itsm.cmdb.models import ConfigurationItem, Service, ServiceComponent
from itsm.maintenance import recurrence
from itsm.maintenance.choices import WindowKind
from itsm.maintenance.models import MaintenanceWindow

__all__ = [
    "Scope",
    "WindowOccurrence",
    "create_window",
    "deactivate_window",
    "occurrences_between",
    "scope_of",
    "set_window_scope",
    "uncovered_by_maintenance",
    "update_window",
]

#: Fields `create_window` and `update_window` accept.
EDITABLE = frozenset(
    {
        "name",
        "kind",
        "description",
        "is_active",
        "applies_to_all",
        "time_zone",
        "starts_on",
        "start_time",
        "duration_minutes",
        "frequency",
        "interval",
        "weekdays",
        "monthly_by",
        "until",
    }
)


@dataclass(frozen=True)
class Scope:
    """What a piece of work touches: service and CI ids (a CI's services already added)."""

    service_ids: frozenset[int]
    ci_ids: frozenset[int]


@dataclass(frozen=True)
class WindowOccurrence:
    """One occurrence of a window: [start, end) in UTC."""

    window: MaintenanceWindow
    start: datetime
    end: datetime

    @property
    def kind(self) -> str:
        return self.window.kind

    @property
    def is_blackout(self) -> bool:
        return self.window.kind == WindowKind.BLACKOUT

    def as_dict(self) -> dict:
        return {
            "window": self.window.pk,
            "name": self.window.name,
            "kind": self.window.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "applies_to_all": self.window.applies_to_all,
        }


def scope_of(service_ids: Iterable[int] = (), ci_ids: Iterable[int] = ()) -> Scope:
    """The scope of work on these services and CIs: the CIs' own services are added. One query."""
    ci_set = frozenset(ci_ids)
    services = set(service_ids)
    if ci_set:
        components = ServiceComponent.objects.filter(configuration_item_id__in=ci_set)
        services |= set(components.values_list("service_id", flat=True))
    return Scope(service_ids=frozenset(services), ci_ids=ci_set)


def occurrences_between(
    start: datetime,
    end: datetime,
    *,
    kind: str | None = None,
    scope: Scope | None = None,
) -> list[WindowOccurrence]:
    """Occurrences of active windows overlapping [start, end), by start.

    With a `scope`, only windows for everything or for one of its services/CIs; without
    one, every window (the change calendar shows them all). Two queries: the windows, and
    (with no scope) nothing else; the rules are expanded in Python.
    """
    windows = MaintenanceWindow.objects.active().of_kind(kind).touching_dates(start.date(), end.date())
    if scope is not None:
        windows = windows.scoped_to(scope.service_ids, scope.ci_ids)
    found = [
        WindowOccurrence(window, occurrence.start, occurrence.end)
        for window in windows
        for occurrence in recurrence.occurrences(window.rule(), start, end)
    ]
    return sorted(found, key=lambda item: (item.start, item.end, item.window.name))


def uncovered_by_maintenance(
    start: datetime, end: datetime, *, scope: Scope
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) that no maintenance window in `scope` covers (empty: all covered)."""
    covered = occurrences_between(start, end, kind=WindowKind.MAINTENANCE, scope=scope)
    gaps, cursor = [], start
    for occurrence in covered:
        if occurrence.start > cursor:
            gaps.append((cursor, min(occurrence.start, end)))
        cursor = max(cursor, occurrence.end)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def create_window(
    *,
    actor: User | None,
    services: Iterable[Service] = (),
    configuration_items: Iterable[ConfigurationItem] = (),
    **fields,
) -> MaintenanceWindow:
    """A new window, validated (time zone, rule, dates) before it is saved."""
    _check_fields(fields)
    with transaction.atomic():
        window = MaintenanceWindow(created_by=actor, **fields)
        window.full_clean()
        window.save()
        window.services.set(services)
        window.configuration_items.set(configuration_items)
    return window


def update_window(window: MaintenanceWindow, *, actor: User | None, **fields) -> MaintenanceWindow:
    """Change a window's fields, validated as on creation; the row is locked while it changes."""
    _check_fields(fields)
    with transaction.atomic():
        locked = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
    return locked


def set_window_scope(
    window: MaintenanceWindow,
    *,
    actor: User | None,
    applies_to_all: bool,
    services: Iterable[Service] = (),
    configuration_items: Iterable[ConfigurationItem] = (),
) -> MaintenanceWindow:
    """Replace what a window applies to."""
    with transaction.atomic():
        locked = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        locked.applies_to_all = applies_to_all
        locked.save(update_fields=["applies_to_all", "updated_at"])
        locked.services.set(services)
        locked.configuration_items.set(configuration_items)
    return locked


def deactivate_window(window: MaintenanceWindow, *, actor: User | None) -> MaintenanceWindow:
    """Stop a window from applying (kept for the record of changes planned around it)."""
    return update_window(window, actor=actor, is_active=False)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Not editable on a window: {', '.join(sorted(unknown))}.")
