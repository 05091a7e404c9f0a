"""Lifecycle moves: start, hold, resolve, close, reopen, cancel — checked by the workflow table."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incidents.choices import HoldReason
from incidents.models import Incident
from incidents.services.common import is_requester, locked, notify, require_staff, require_visible
from incidents.workflow import IN_PROGRESS, INCIDENT_WORKFLOW, NEW, ON_HOLD, WORKING
from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_state_change
from itsm.sla.services import clock_snapshot, sync_clocks

#: Fields a move may touch, saved together with the state.
MOVE_FIELDS = [
    "state",
    "state_category",
    "hold_reason",
    "resolution_code",
    "resolution_notes",
    "responded_at",
    "resolved_at",
    "closed_at",
]


def start_incident(incident: Incident, *, actor: User, expected_version: int | None = None) -> Incident:
    require_staff(actor, "start work on incidents")
    return _move(incident, "start", actor=actor, expected_version=expected_version)


def hold_incident(
    incident: Incident, *, actor: User, reason: str, expected_version: int | None = None
) -> Incident:
    require_staff(actor, "put incidents on hold")

    def set_reason(record: Incident) -> None:
        record.hold_reason = reason

    return _move(incident, "hold", actor=actor, expected_version=expected_version, prepare=set_reason)


def hold_for_supplier(incident: Incident, *, actor: User) -> Incident | None:
    """A supplier was engaged: on hold awaiting supplier, if the incident is being worked on.

    Called by the supplier practice in its transaction; an incident already on hold (or not
    in work) is left as it is, and None is returned.
    """
    require_staff(actor, "engage suppliers")
    with transaction.atomic():
        if locked(incident, None).state not in (NEW, IN_PROGRESS):
            return None
        return hold_incident(incident, actor=actor, reason=HoldReason.AWAITING_SUPPLIER)


def release_from_supplier(incident: Incident, *, actor: User, note: str = "") -> Incident | None:
    """The last supplier engagement ended: back in progress, if it is on hold awaiting supplier."""
    require_staff(actor, "end supplier engagements")
    with transaction.atomic():
        current = locked(incident, None)
        if current.state != ON_HOLD or current.hold_reason != HoldReason.AWAITING_SUPPLIER:
            return None
        return _move(current, "start", actor=actor, note=note)


def resolve_incident(
    incident: Incident, *, actor: User, resolution_code: str, notes: str, expected_version: int | None = None
) -> Incident:
    """Resolve, and resolve its open child incidents with the same resolution."""
    require_staff(actor, "resolve incidents")

    def set_resolution(record: Incident) -> None:
        record.resolution_code = resolution_code
        record.resolution_notes = notes.strip()

    with transaction.atomic():
        resolved = _move(
            incident, "resolve", actor=actor, expected_version=expected_version, prepare=set_resolution
        )
        for child in resolved.children.filter(state__in=WORKING).order_by("pk"):
            _move(
                child,
                "resolve",
                actor=actor,
                prepare=set_resolution,
                note=f"Resolved with parent {resolved.number}.",
            )
    return resolved


def close_incident(
    incident: Incident, *, actor: User | None, expected_version: int | None = None
) -> Incident:
    """Close a resolved incident: the requester confirms, an agent closes, or auto-close (actor None)."""
    if actor is not None and not is_requester(incident, actor):
        require_staff(actor, "close other people's incidents")
    return _move(incident, "close", actor=actor, expected_version=expected_version)


def reopen_incident(
    incident: Incident, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Incident:
    """The requester or an agent reopens within the reopen window; the reason goes on the timeline."""
    if not is_requester(incident, actor):
        require_staff(actor, "reopen other people's incidents")

    def clear_resolution(record: Incident) -> None:
        record.resolution_code, record.resolution_notes, record.resolved_at = "", "", None

    return _move(
        incident,
        "reopen",
        actor=actor,
        expected_version=expected_version,
        prepare=clear_resolution,
        note=reason.strip(),
        check_first=True,
    )


def cancel_incident(
    incident: Incident, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Incident:
    require_staff(actor, "cancel incidents")
    return _move(incident, "cancel", actor=actor, expected_version=expected_version, note=reason.strip())


def _move(
    incident: Incident,
    name: str,
    *,
    actor: User | None,
    expected_version: int | None = None,
    prepare: Callable[[Incident], None] | None = None,
    note: str = "",
    check_first: bool = False,
) -> Incident:
    """Lock, prepare fields, check and apply the transition, save, write the timeline, notify."""
    if actor is not None:
        require_visible(incident, actor)
    with transaction.atomic():
        record = locked(incident, expected_version)
        before = clock_snapshot(record)
        if check_first:  # guards that read fields `prepare` clears
            INCIDENT_WORKFLOW.check(record, name)
        if prepare:
            prepare(record)
        old, new = INCIDENT_WORKFLOW.apply(record, name)
        _stamp_times(record, name)
        save_locked(record, update_fields=MOVE_FIELDS)
        sync_clocks(record, before=before)
        record_state_change(
            record, f"incident.{name}", actor=actor, old=old, new=new, body=_body(record, name, note)
        )
        _notify_move(record, name, actor)
    return record


def _stamp_times(record: Incident, name: str) -> None:
    now = timezone.now()
    if name == "start" and record.responded_at is None:
        record.responded_at = now
    elif name == "resolve":
        record.resolved_at = now
    elif name == "close":
        record.closed_at = now
    if name != "hold":
        record.hold_reason = ""


def _body(record: Incident, name: str, note: str) -> str:
    if name == "resolve":
        return f"{record.get_resolution_code_display()}: {record.resolution_notes}" + (
            f"\n{note}" if note else ""
        )
    if name == "hold":
        return record.get_hold_reason_display()
    return note


def _notify_move(record: Incident, name: str, actor: User | None) -> None:
    key = f"{name}:v{record.version}"
    if name == "resolve":
        notify(record.requester, record, f"{record.number} is resolved", record.resolution_notes, key=key)
    elif name == "reopen" and record.assignee_id and record.assignee_id != getattr(actor, "pk", None):
        notify(record.assignee, record, f"{record.number} was reopened", key=key)
