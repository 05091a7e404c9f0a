"""CAB authorization through the platform's approval machinery (`itsm.approvals`).

A change asks the first active CAB policy that matches its type and risk (emergency changes
only an emergency policy) for its stages; each stage's approvers are the active members of
its group, except the person who raised the change (nobody authorizes their own change).
The decision comes back through `on_cab_decision`, registered in `ChangesConfig.ready()`.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime

from changes.choices import ChangeType
from changes.models import CABPolicy, Change
from changes.services.common import locked, notify, require_change_manager
from changes.workflow import AUTHORIZE, CAB_PURPOSE, CHANGE_WORKFLOW
from itsm.approvals.choices import PlanOutcome
from itsm.approvals.models import ApprovalPlan
from itsm.approvals.services import StageSpec, start_approval
from itsm.core.exceptions import DomainError
from itsm.core.locking import save_locked
from itsm.core.models import Task
from itsm.core.services.timeline import record_event, record_field_changes, record_state_change
from itsm.sla.services import clock_snapshot, sync_clocks


def policy_for(change: Change) -> CABPolicy | None:
    """The policy that authorizes `change`: type-specific policies first, then generic ones.

    Emergency changes never fall back to a generic policy: they go to an emergency CAB.
    """
    policies = [p for p in CABPolicy.objects.filter(is_active=True) if p.matches(change)]
    typed = [p for p in policies if p.change_type == change.change_type]
    if change.change_type == ChangeType.EMERGENCY:
        return typed[0] if typed else None
    generic = [p for p in policies if not p.change_type]
    return (typed or generic or [None])[0]


def stage_specs(change: Change, policy: CABPolicy) -> list[StageSpec]:
    """One StageSpec per policy stage: the group's active members, the change's raiser left out."""
    specs = []
    for stage in policy.stages.select_related("group").prefetch_related("group__members"):
        approvers = [
            member
            for member in sorted(stage.group.members.all(), key=lambda user: user.pk)
            if member.is_active and member.pk != change.requester_id
        ]
        specs.append(
            StageSpec(name=stage.name, approvers=approvers, rule=stage.rule, required=stage.required)
        )
    return specs


def start_cab(change: Change, *, actor: User) -> ApprovalPlan:
    """Ask the CAB; DomainError (nothing written by the caller's transaction) when no policy fits."""
    policy = policy_for(change)
    if policy is None:
        kind = "emergency CAB" if change.change_type == ChangeType.EMERGENCY else "CAB"
        raise DomainError(
            f"No {kind} policy covers a {change.get_change_type_display().lower()} change of "
            f"{change.get_risk_display().lower()} risk: ask an administrator to add one."
        )
    record_event(change, "change.cab_policy", actor=actor, body=f"Authorization by the policy “{policy}”.")
    return start_approval(change, stage_specs(change, policy), actor=actor, purpose=CAB_PURPOSE)


def on_cab_decision(plan: ApprovalPlan, outcome: str, actor: User) -> None:
    """Approval handler: approved → ready to schedule; rejected → back to assessment for rework."""
    if plan.purpose != CAB_PURPOSE or outcome == PlanOutcome.CANCELLED:
        return  # the change itself withdrew the plan (cancel, rework)
    change = locked(Change(pk=plan.subject_id))
    if change.state != AUTHORIZE:
        return
    people = {change.assignee, change.change_manager, change.requester} - {None}
    if outcome == PlanOutcome.APPROVED:
        record_event(
            change, "change.authorized", actor=actor, body="The CAB authorized the change.", is_public=True
        )
        for person in people:
            notify(person, change, f"{change.number} is authorized: schedule it", key=f"authorized:{plan.pk}")
        return
    before = clock_snapshot(change)
    old, new = CHANGE_WORKFLOW.apply(change, "rework")
    save_locked(change, update_fields=["state", "state_category"])
    sync_clocks(change, before=before)
    record_state_change(
        change, "change.rejected", actor=actor, old=old, new=new, body="The CAB rejected the change."
    )
    for person in people:
        notify(person, change, f"The CAB rejected {change.number}", key=f"rejected:{plan.pk}")


def cab_summary(subject: Task) -> list[tuple[str, str]]:
    """What approvers see about the change on the approval page."""
    change = Change.objects.prefetch_related("affected_services", "affected_cis").get(pk=subject.pk)
    window = "not set"
    if change.planned_start and change.planned_end:
        bounds = (change.planned_start, change.planned_end)
        start, end = (date_format(localtime(moment), "DATETIME_FORMAT") for moment in bounds)
        window = f"{start} – {end}"
    rows = [
        ("Type", change.get_change_type_display()),
        ("Risk", f"{change.get_risk_display()} ({change.risk_score}/100)"),
        ("Planned window", window),
        ("Affected services", ", ".join(str(s) for s in change.affected_services.all()) or "none"),
        ("Affected CIs", ", ".join(str(c) for c in change.affected_cis.all()) or "none"),
        ("Reason", change.reason),
        ("Back-out plan", change.backout_plan),
    ]
    why = change.risk_evidence.get("why") if isinstance(change.risk_evidence, dict) else None
    if why:
        rows.insert(2, ("Risk evidence", "; ".join(why)))
    return rows


def set_cab_date(
    change: Change, *, actor: User, cab_date: date | None, expected_version: int | None = None
) -> Change:
    """Put the change on the agenda of a CAB meeting (or take it off)."""
    require_change_manager(actor, "plan the CAB agenda")
    with transaction.atomic():
        record = locked(change, expected_version)
        before = {"cab_date": record.cab_date}
        record.cab_date = cab_date
        if record_field_changes(
            record, "change.cab_planned", actor=actor, before=before, after={"cab_date": cab_date}
        ):
            save_locked(record, update_fields=["cab_date"])
    return record


def agenda(meeting: date):
    """Changes awaiting authorization for the meeting: those put on its agenda, then those on none."""
    waiting = Change.objects.awaiting_authorization().select_related(
        "assignee", "assignment_group", "change_manager"
    )
    waiting = waiting.prefetch_related("affected_services")
    on_agenda = waiting.filter(cab_date=meeting).order_by("planned_start", "task_ptr_id")
    unplanned = waiting.filter(cab_date__isnull=True).order_by("planned_start", "task_ptr_id")
    return list(on_agenda), list(unplanned)
