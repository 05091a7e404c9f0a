"""Lifecycle moves of a change, checked by `changes.workflow` whoever calls them.

Each move locks the change, checks the transition (state and guards), writes the state, the
timeline entry and the SLA clocks in one transaction. Authorization starts the CAB plan;
scheduling checks blackout windows; closing tells the problems this change fixes.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.timezone import localtime

from changes.choices import CloseCode
from changes.models import Change
from changes.services.cab import start_cab
from changes.services.catalog import settle_request_items
from changes.services.change_tasks import skip_open_tasks
from changes.services.common import (
    clean_text,
    lock_pending_cab_plan,
    locked,
    notify,
    require_change_manager,
    require_staff,
)
from changes.services.links import advance_fixed_problems
from changes.workflow import CHANGE_WORKFLOW
from itsm.approvals.services import cancel_approval
from itsm.core.exceptions import TransitionNotAllowed
from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_event, record_state_change
from itsm.sla.services import clock_snapshot, sync_clocks

MOVE_FIELDS = [
    "state",
    "state_category",
    "actual_start",
    "actual_end",
    "close_code",
    "close_notes",
    "cancel_reason",
    "resolved_at",
    "closed_at",
    "blackout_override_reason",
    "blackout_override_by",
    "blackout_override_at",
]


def assess_change(change: Change, *, actor: User, expected_version: int | None = None) -> Change:
    """New → Assess (normal and emergency changes; a standard one is pre-approved)."""
    return _move(change, "assess", actor=actor, expected_version=expected_version)


def request_authorization(change: Change, *, actor: User, expected_version: int | None = None) -> Change:
    """→ Authorize and ask the CAB (the emergency CAB for an emergency change, straight from New)."""
    return _move(
        change, "request_authorization", actor=actor, expected_version=expected_version, after=_ask_cab
    )


def rework_change(change: Change, *, actor: User, reason: str, expected_version: int | None = None) -> Change:
    """A change manager takes the change back from the CAB to assessment; the open approvals are withdrawn."""
    require_change_manager(actor, "send a change back for rework")
    reason = clean_text(reason, 2000)
    if not reason:
        raise ValidationError({"reason": "Say what needs rework."})

    def withdraw(record: Change, actor: User) -> None:
        plan = record.cab_plan
        if plan is not None and plan.is_pending:
            cancel_approval(plan, actor=actor, reason=f"Sent back for rework: {reason}")
            record.__dict__.pop("cab_plan", None)  # read again: it is cancelled now

    return _move(
        change,
        "rework",
        actor=actor,
        expected_version=expected_version,
        after=withdraw,
        note=reason,
        plan_first=True,
    )


def schedule_change(
    change: Change, *, actor: User, override_reason: str = "", expected_version: int | None = None
) -> Change:
    """Authorize → Scheduled (New → Scheduled for a standard change).

    A planned window that meets a blackout window is refused unless a change manager gives an
    override reason, which is recorded on the change and its timeline.
    """

    def check_blackouts(record: Change) -> None:
        from changes.scheduling import blackout_conflicts

        CHANGE_WORKFLOW.check(record, "schedule")
        conflicts = list(blackout_conflicts(record))
        if not conflicts:
            return
        names = "; ".join(_describe_occurrence(conflict) for conflict in conflicts)
        reason = clean_text(override_reason, 2000)
        if not reason:
            raise TransitionNotAllowed(
                f"The planned window falls in a blackout window ({names}). Move the change, or a "
                "change manager can schedule it anyway with an override reason."
            )
        require_change_manager(actor, "override a blackout window")
        record.blackout_override_reason, record.blackout_override_by = reason, actor
        record.blackout_override_at = timezone.now()
        record_event(
            record, "change.blackout_overridden", actor=actor, body=f"Blackout overridden ({names}): {reason}"
        )

    return _move(
        change,
        "schedule",
        actor=actor,
        expected_version=expected_version,
        prepare=check_blackouts,
        after=_tell_assignee,
    )


def implement_change(
    change: Change, *, actor: User, started_at: datetime | None = None, expected_version: int | None = None
) -> Change:
    def start(record: Change) -> None:
        record.actual_start = started_at or timezone.now()

    return _move(change, "implement", actor=actor, expected_version=expected_version, prepare=start)


def complete_change(
    change: Change,
    *,
    actor: User,
    close_code: str,
    notes: str = "",
    ended_at: datetime | None = None,
    expected_version: int | None = None,
) -> Change:
    """Implement → Review with how it went; failed and emergency changes then need a review (PIR)."""

    def finish(record: Change) -> None:
        record.close_code, record.close_notes = close_code or "", clean_text(notes)
        record.actual_end = ended_at or timezone.now()
        if record.actual_start and record.actual_end < record.actual_start:
            raise ValidationError({"ended_at": "The implementation cannot end before it started."})

    return _move(change, "complete", actor=actor, expected_version=expected_version, prepare=finish)


def close_change(change: Change, *, actor: User, expected_version: int | None = None) -> Change:
    """Review → Closed (a required post-implementation review must be written); the problems this
    change fixes move on."""
    return _move(change, "close", actor=actor, expected_version=expected_version, after=_after_close)


def cancel_change(change: Change, *, actor: User, reason: str, expected_version: int | None = None) -> Change:
    """Cancel before implementation: pending CAB approvals are withdrawn, open tasks skipped."""

    def set_reason(record: Change) -> None:
        record.cancel_reason = clean_text(reason, 2000)

    def withdraw(record: Change, actor: User) -> None:
        plan = record.cab_plan
        if plan is not None and plan.is_pending:
            cancel_approval(plan, actor=actor, reason=f"The change was cancelled: {record.cancel_reason}")
            record.__dict__.pop("cab_plan", None)  # read again: it is cancelled now
        skip_open_tasks(record, actor=actor, reason="The change was cancelled.")

    return _move(
        change,
        "cancel",
        actor=actor,
        expected_version=expected_version,
        prepare=set_reason,
        after=withdraw,
        plan_first=True,
    )


#: Service per workflow move, for the pages and the API (each takes actor and expected_version).
MOVES: dict[str, Callable[..., Change]] = {
    "assess": assess_change,
    "request_authorization": request_authorization,
    "rework": rework_change,
    "schedule": schedule_change,
    "implement": implement_change,
    "complete": complete_change,
    "close": close_change,
    "cancel": cancel_change,
}


def _move(
    change: Change,
    name: str,
    *,
    actor: User,
    expected_version: int | None = None,
    prepare: Callable[[Change], None] | None = None,
    after: Callable[..., None] | None = None,
    note: str = "",
    plan_first: bool = False,
) -> Change:
    """Lock, prepare fields, check and apply the transition, save, write the timeline, sync clocks.

    `plan_first`: the move may withdraw the CAB plan, so the plan is locked before the change
    (the order an approval decision takes; see `lock_pending_cab_plan`).
    """
    require_staff(actor, "work on changes")
    with transaction.atomic():
        if plan_first:
            lock_pending_cab_plan(change)
        record = locked(change, expected_version)
        before = clock_snapshot(record)
        if prepare:
            prepare(record)
        old, new = CHANGE_WORKFLOW.apply(record, name)
        _stamp_times(record, name)
        save_locked(record, update_fields=MOVE_FIELDS)
        sync_clocks(record, before=before)
        record_state_change(
            record, f"change.{name}", actor=actor, old=old, new=new, body=_body(record, name, note)
        )
        if after:
            after(record, actor)
    return record


def _describe_occurrence(occurrence) -> str:
    """“Quarter-end freeze, 30 Jun 18:00–1 Jul 06:00” in the site's time zone."""
    start, end = localtime(occurrence.start), localtime(occurrence.end)
    return f"{occurrence.window.name}, {start:%d %b %H:%M}–{end:%d %b %H:%M}"


def _after_close(record: Change, actor: User) -> None:
    advance_fixed_problems(record, actor)
    settle_request_items(record, actor)


def _ask_cab(record: Change, actor: User) -> None:
    start_cab(record, actor=actor)


def _tell_assignee(record: Change, actor: User) -> None:
    if record.assignee_id and record.assignee_id != actor.pk:
        notify(record.assignee, record, f"{record.number} is scheduled", key=f"scheduled:v{record.version}")


def _stamp_times(record: Change, name: str) -> None:
    now = timezone.now()
    if name == "complete":
        record.resolved_at = now
    elif name in ("close", "cancel"):
        record.closed_at = now


def _body(record: Change, name: str, note: str) -> str:
    if name == "complete":
        notes = f": {record.close_notes}" if record.close_notes else ""
        return f"{CloseCode(record.close_code).label}{notes}"
    if name == "cancel":
        return record.cancel_reason
    return note
