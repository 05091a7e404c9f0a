"""Major incidents: an agent proposes, a manager accepts or rejects."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.choices import MajorIncidentState
from incidents.models import Incident
from incidents.services.common import locked, require_staff
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied, TransitionNotAllowed
from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_event


def propose_major(
    incident: Incident, *, actor: User, reason: str, expected_version: int | None = None
) -> Incident:
    require_staff(actor, "propose major incidents")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this is a major incident."})
    with transaction.atomic():
        record = locked(incident, expected_version)
        if record.major_state in (MajorIncidentState.PROPOSED, MajorIncidentState.ACCEPTED):
            raise TransitionNotAllowed(
                f"{record.number} is already {record.get_major_state_display().lower()}."
            )
        if not record.is_active:
            raise TransitionNotAllowed("Only open incidents can become major incidents.")
        record.major_state = MajorIncidentState.PROPOSED
        save_locked(record, update_fields=["major_state"])
        record_event(record, "incident.major_proposed", actor=actor, body=reason.strip())
    return record


def decide_major(
    incident: Incident, *, actor: User, accept: bool, note: str = "", expected_version: int | None = None
) -> Incident:
    """A manager accepts (the portal shows a banner for the service) or rejects the proposal."""
    if not roles.has_role(actor, roles.Role.MANAGER, roles.Role.ADMIN):
        raise PermissionDenied("Only managers decide on major incidents.")
    with transaction.atomic():
        record = locked(incident, expected_version)
        if record.major_state != MajorIncidentState.PROPOSED:
            raise TransitionNotAllowed(f"{record.number} has no major-incident proposal to decide.")
        record.major_state = MajorIncidentState.ACCEPTED if accept else MajorIncidentState.REJECTED
        save_locked(record, update_fields=["major_state"])
        action = "incident.major_accepted" if accept else "incident.major_rejected"
        record_event(record, action, actor=actor, body=note.strip(), is_public=accept)
    return record
