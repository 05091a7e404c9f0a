"""Writing the timeline. Services call these inside their transaction; nothing else does."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User

from itsm.core import events
from itsm.core.choices import TimelineKind
from itsm.core.models import Task, TimelineEntry

#: Field names whose values never reach the timeline in clear.
SENSITIVE_FIELDS = frozenset({"password", "secret", "token", "api_key", "credentials"})
MASK = "••••••"


def record_event(
    task: Task,
    action: str,
    *,
    actor: User | None,
    kind: str = TimelineKind.SYSTEM,
    body: str = "",
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    is_public: bool = False,
) -> TimelineEntry:
    """Append one entry to the task's timeline, and publish it (webhooks: itsm.core.events)."""
    entry = TimelineEntry.objects.create(
        task_id=task.pk,
        kind=kind,
        action=action,
        actor=actor,
        body=body,
        changes=_masked(changes or {}),
        is_public=is_public,
    )
    events.publish(task, action, entry.changes)
    return entry


def record_field_changes(
    task: Task,
    action: str,
    *,
    actor: User | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> TimelineEntry | None:
    """One entry listing every field whose value differs between `before` and `after`."""
    changes = {
        name: {"old": _plain(before.get(name)), "new": _plain(value)}
        for name, value in after.items()
        if before.get(name) != value
    }
    if not changes:
        return None
    return record_event(task, action, actor=actor, kind=TimelineKind.FIELD_CHANGE, changes=changes)


def record_state_change(
    task: Task, action: str, *, actor: User | None, old: str, new: str, body: str = ""
) -> TimelineEntry:
    """The entry for a workflow move; public, so requesters follow their record's progress."""
    return record_event(
        task,
        action,
        actor=actor,
        kind=TimelineKind.STATE_CHANGE,
        body=body,
        changes={"state": {"old": old, "new": new}},
        is_public=True,
    )


def _masked(changes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        name: ({"old": MASK, "new": MASK} if name.lower() in SENSITIVE_FIELDS else dict(values))
        for name, values in changes.items()
    }


def _plain(value: Any) -> Any:
    """JSON-safe form of a field value: model instances by primary key and label."""
    if hasattr(value, "get_full_name"):  # a person: by name, as people read it
        return {"id": value.pk, "label": value.get_full_name() or value.get_username()}
    if hasattr(value, "pk"):
        return {"id": value.pk, "label": str(value)}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
