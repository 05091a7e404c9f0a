"""Small fixed data sets for the practice dashboards, written straight to the tables.

Timestamps are set after the insert (opened_at is auto_now_add). The period used by the tests is
1–7 March 2026 in Europe/Paris (UTC+1): [29 Feb 23:00 UTC, 7 Mar 23:00 UTC).
"""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from changes.models import Change
from itsm.core.choices import LinkKind, StateCategory, TaskKind
from itsm.core.models import Task, TaskLink
from itsm.core.services.numbering import next_number
from itsm.dashboards.selectors import Scope
from problems.models import Problem

PARIS = "Europe/Paris"
START = datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # 1 March 00:00 in Paris
END = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)  # 8 March 00:00 in Paris
NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def scope(user, **fields) -> Scope:
    return Scope(user=user, start=START, end=END, **fields)


def stamp(record, **times) -> None:
    Task.objects.filter(pk=record.pk).update(**times)


def problem(*, opened, state="new", category=StateCategory.NEW, known_error_at=None, **fields) -> Problem:
    record = Problem.objects.create(
        number=next_number(TaskKind.PROBLEM),
        kind=TaskKind.PROBLEM,
        title=fields.pop("title", "A problem"),
        state=state,
        state_category=category,
        known_error=known_error_at is not None,
        known_error_at=known_error_at,
        **fields,
    )
    stamp(record, opened_at=opened, resolved_at=fields.get("resolved_at"))
    return record


def change(*, opened, change_type="normal", state="new", category=StateCategory.NEW, **fields) -> Change:
    resolved_at = fields.pop("resolved_at", None)
    record = Change.objects.create(
        number=next_number(TaskKind.CHANGE),
        kind=TaskKind.CHANGE,
        title=fields.pop("title", "A change"),
        change_type=change_type,
        state=state,
        state_category=category,
        **fields,
    )
    stamp(record, opened_at=opened, resolved_at=resolved_at)
    return record


def incident(*, opened, **fields) -> Task:
    record = Task.objects.create(
        number=next_number(TaskKind.INCIDENT),
        kind=TaskKind.INCIDENT,
        title=fields.pop("title", "An incident"),
        state=fields.pop("state", "new"),
        state_category=fields.pop("state_category", StateCategory.NEW),
        **fields,
    )
    stamp(record, opened_at=opened)
    return record


def caused_by(incident_task: Task, target: Task) -> TaskLink:
    """The incident names `target` (a problem or a change) as its cause."""
    return TaskLink.objects.create(source=incident_task, target=target, kind=LinkKind.CAUSED_BY)


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)
