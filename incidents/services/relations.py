"""How an incident relates to others: its parent incident, and links to other records.

Parent and child are one level deep. A child follows its parent's resolution
(`resolve_incident` resolves the parent's open children, not their children), so a
grandchild would be left open when the top incident is resolved: the services refuse to
build a second level rather than resolve part of a tree.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.models import Incident
from incidents.services.common import require_staff, require_visible
from itsm.core.exceptions import TransitionNotAllowed
from itsm.core.locking import lock_for_update, save_locked
from itsm.core.models import TaskLink
from itsm.core.services.activity import unlink_tasks
from itsm.core.services.timeline import record_event, record_field_changes


def set_parent(
    incident: Incident, parent: Incident | None, *, actor: User, expected_version: int | None = None
) -> Incident:
    """Make `incident` a child of `parent` (None clears it); both timelines say so.

    Both rows are locked (in primary-key order) so a parent cannot be resolved or given a
    parent of its own between the checks and the save.
    """
    require_staff(actor, "set parent incidents")
    require_visible(incident, actor)
    if parent is not None and parent.pk == incident.pk:
        raise ValidationError({"parent": "An incident cannot be its own parent."})
    if parent is not None:
        require_visible(parent, actor)
    with transaction.atomic():
        record, new_parent = _lock_both(incident, parent, expected_version)
        old_parent = record.parent
        if (old_parent.pk if old_parent else None) == (new_parent.pk if new_parent else None):
            return record
        if new_parent is not None:
            _check_parent(record, new_parent)
        record.parent = new_parent
        before, after = {"parent": old_parent}, {"parent": new_parent}
        record_field_changes(record, "incident.parent_changed", actor=actor, before=before, after=after)
        save_locked(record, update_fields=["parent"])
        if old_parent is not None:
            record_event(old_parent, "incident.child_removed", actor=actor, body=record.number)
        if new_parent is not None:
            record_event(new_parent, "incident.child_added", actor=actor, body=record.number)
    return record


def _lock_both(
    incident: Incident, parent: Incident | None, expected_version: int | None
) -> tuple[Incident, Incident | None]:
    """Lock the child (checking its version) and the new parent, lower primary key first."""
    rows = Incident.objects.all()  # no join to the parent: FOR UPDATE refuses an outer join
    if parent is None:
        return lock_for_update(rows, incident.pk, expected_version=expected_version), None
    if parent.pk < incident.pk:
        new_parent = lock_for_update(rows, parent.pk)
        return lock_for_update(rows, incident.pk, expected_version=expected_version), new_parent
    record = lock_for_update(rows, incident.pk, expected_version=expected_version)
    return record, lock_for_update(rows, parent.pk)


def _check_parent(record: Incident, parent: Incident) -> None:
    """Refusals, each with a message that says what to do instead."""
    if parent.parent_id == record.pk:
        raise ValidationError({"parent": f"{parent.number} is already a child of {record.number}."})
    if parent.parent_id is not None:
        raise ValidationError(
            {"parent": f"{parent.number} is itself a child of another incident; choose its parent instead."}
        )
    if not record.is_active:
        raise TransitionNotAllowed(f"{record.number} is no longer open; its parent cannot change.")
    if not parent.is_active:
        raise ValidationError(
            {"parent": f"{parent.number} is no longer open; a child follows its parent's resolution."}
        )
    if record.children.exists():
        raise ValidationError(
            {"parent": f"{record.number} has child incidents of its own, so it cannot become a child."}
        )


def unlink_record(incident: Incident, link: TaskLink, *, actor: User) -> None:
    """Remove a link to or from the incident; the core service notes it on both timelines."""
    require_staff(actor, "unlink records")
    require_visible(incident, actor)
    if incident.pk not in (link.source_id, link.target_id):
        raise ValidationError({"link": "This link does not belong to this incident."})
    unlink_tasks(link, actor=actor)
