"""Replies, work notes and the requester's rating."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.choices import HoldReason
from incidents.models import Incident, Rating
from incidents.services.common import is_requester, locked, notify
from incidents.workflow import CLOSED, INCIDENT_WORKFLOW, ON_HOLD, RESOLVED
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied
from itsm.core.locking import save_locked
from itsm.core.models import TimelineEntry
from itsm.core.services.activity import add_comment
from itsm.core.services.timeline import record_state_change
from itsm.sla.services import clock_snapshot, sync_clocks


def add_reply(incident: Incident, *, actor: User, body: str, public: bool = True) -> TimelineEntry:
    """A public reply or an internal work note.

    An agent's first public reply is the first response. A requester's reply to an
    incident on hold awaiting them puts it back in progress.
    """
    with transaction.atomic():
        entry = add_comment(incident, actor=actor, body=body, is_public=public)
        if not public:
            return entry
        record = locked(incident, None)
        if roles.is_staff_member(actor) and not is_requester(record, actor):
            _first_response(record)
            notify(
                record.requester, record, f"New reply on {record.number}", entry.body, key=f"reply:{entry.pk}"
            )
        elif record.state == ON_HOLD and record.hold_reason == HoldReason.AWAITING_CALLER:
            _resume_for_caller(record, actor)
        if record.assignee_id and record.assignee_id != actor.pk:
            notify(
                record.assignee,
                record,
                f"{actor} replied on {record.number}",
                entry.body,
                key=f"reply:{entry.pk}",
            )
        for watcher in record.watchers.exclude(pk__in=[actor.pk, record.requester_id or 0]):
            notify(watcher, record, f"New reply on {record.number}", entry.body, key=f"reply:{entry.pk}")
    return entry


def rate_resolution(incident: Incident, *, actor: User, score: int, comment: str = "") -> Rating:
    """The requester rates a resolution once (1–5)."""
    if not is_requester(incident, actor):
        raise PermissionDenied("Only the person who raised the incident can rate it.")
    if incident.state not in (RESOLVED, CLOSED) or incident.resolved_at is None:
        raise ValidationError({"score": "You can rate an incident once it is resolved."})
    if score not in range(1, 6):
        raise ValidationError({"score": "Choose a rating from 1 to 5."})
    try:
        with transaction.atomic():
            return Rating.objects.create(
                incident=incident,
                rated_by=actor,
                score=score,
                comment=comment.strip(),
                resolved_at=incident.resolved_at,
            )
    except IntegrityError:
        raise ValidationError({"score": "You have already rated this resolution."}) from None


def _first_response(record: Incident) -> None:
    if record.responded_at is None:
        before = clock_snapshot(record)
        record.responded_at = timezone.now()
        save_locked(record, update_fields=["responded_at"])
        sync_clocks(record, before=before)


def _resume_for_caller(record: Incident, actor: User) -> None:
    before = clock_snapshot(record)
    old, new = INCIDENT_WORKFLOW.apply(record, "start")
    record.hold_reason = ""
    save_locked(record, update_fields=["state", "state_category", "hold_reason"])
    sync_clocks(record, before=before)
    record_state_change(record, "incident.resumed", actor=actor, old=old, new=new, body="The caller replied.")
