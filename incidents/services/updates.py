"""Editing an incident's fields (not its state: that is what transitions are for)."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.models import Incident
from incidents.priority import priority_for
from incidents.services.common import locked, require_staff
from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_field_changes
from itsm.sla.services import clock_snapshot, sync_clocks

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "subcategory",
        "service",
        "configuration_item",
        "impact",
        "urgency",
        "contact_type",
    }
)


def update_incident(
    incident: Incident, *, actor: User, changes: dict[str, Any], expected_version: int | None = None
) -> Incident:
    """Apply field changes; priority follows impact and urgency through the matrix."""
    require_staff(actor, "edit incidents")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be edited here."))
    with transaction.atomic():
        record = locked(incident, expected_version)
        clocks_before = clock_snapshot(record)
        tracked = [*changes, "priority"]
        before = {name: getattr(record, name) for name in tracked}
        for name, value in changes.items():
            setattr(record, name, value.strip() if isinstance(value, str) else value)
        record.priority = priority_for(record.impact, record.urgency)
        _validate(record)
        after = {name: getattr(record, name) for name in tracked}
        if record_field_changes(record, "incident.updated", actor=actor, before=before, after=after) is None:
            return record
        save_locked(record, update_fields=[name for name in tracked if before[name] != after[name]])
        sync_clocks(record, before=clocks_before)
    return record


def _validate(record: Incident) -> None:
    if not record.title:
        raise ValidationError({"title": "The title cannot be empty."})
    if record.subcategory and record.subcategory.parent_id != record.category_id:
        raise ValidationError({"subcategory": "This subcategory belongs to another category."})
