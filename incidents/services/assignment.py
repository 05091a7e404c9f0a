"""Assigning an incident to a group and a person."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.models import Incident
from incidents.services.common import locked, notify, notify_team, require_staff
from itsm.core.locking import save_locked
from itsm.core.models import Team
from itsm.core.services.timeline import record_field_changes
from itsm.sla.services import clock_snapshot, sync_clocks


def assign_incident(
    incident: Incident,
    *,
    actor: User,
    group: Team | None,
    assignee: User | None,
    expected_version: int | None = None,
) -> Incident:
    """Set group and assignee (the assignee must be in the group); notify whoever gains the work."""
    require_staff(actor, "assign incidents")
    if assignee is not None and group is None:
        group = assignee.teams.order_by("name").first()
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": f"{assignee} is inactive."})
    if assignee is not None and (group is None or not group.members.filter(pk=assignee.pk).exists()):
        raise ValidationError({"assignee": f"{assignee} is not a member of {group or 'any team'}."})
    with transaction.atomic():
        record = locked(incident, expected_version)
        clocks_before = clock_snapshot(record)
        before = {"assignment_group": record.assignment_group, "assignee": record.assignee}
        record.assignment_group, record.assignee = group, assignee
        entry = record_field_changes(
            record,
            "incident.assigned",
            actor=actor,
            before=before,
            after={"assignment_group": group, "assignee": assignee},
        )
        if entry is None:
            return record
        save_locked(record, update_fields=["assignment_group", "assignee"])
        sync_clocks(record, before=clocks_before)
        _notify_assignment(record, before, actor)
    return record


def _notify_assignment(record: Incident, before: dict, actor: User) -> None:
    key = f"assigned:v{record.version}"
    if record.assignee_id and record.assignee != before["assignee"] and record.assignee_id != actor.pk:
        notify(record.assignee, record, f"{record.number} was assigned to you", record.title, key=key)
    elif record.assignee_id is None and record.assignment_group != before["assignment_group"]:
        notify_team(
            record, f"{record.number} is waiting in {record.assignment_group}: {record.title}", key=key
        )
