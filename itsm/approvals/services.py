"""The approval write path, shared by every practice that needs approvals (catalog, changes).

    plan = start_approval(item, [StageSpec("Manager", [manager])], actor=user, purpose="fulfilment")
    decide(approval, actor=approver, approve=False, comment="Not in budget")
    cancel_approval(plan, actor=user, reason="The request was withdrawn.")
    approval_link(approval)  # the signed, expiring, single-use decision link for an e-mail

Each call runs in the caller's transaction (or its own) and locks the plan row first, so two
approvers deciding at once are applied one after the other. When a plan's outcome is
decided, the handler registered for the subject's kind (`itsm.approvals.registry`) runs in
the same transaction. How a stage's decisions add up is written in `itsm.approvals.rules`.

Approvers are often neither the requester nor staff: OR `models.subjects_approved_by(user)`
into the subject's `visible_to` so they can open the record they are asked to approve.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from itsm.approvals import notify, registry, rules
from itsm.approvals.choices import Decision, PlanOutcome, StageRule, StageState
from itsm.approvals.models import Approval, ApprovalPlan, ApprovalStage
from itsm.approvals.tokens import approval_link, new_nonce
from itsm.approvals.workflow import APPROVAL_WORKFLOW
from itsm.core.choices import TaskKind
from itsm.core.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from itsm.core.locking import lock_for_update, save_locked
from itsm.core.models import Task
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_state_change
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks

__all__ = [
    "StageSpec",
    "approval_link",
    "cancel_approval",
    "current_plan",
    "decide",
    "start_approval",
]

#: Fields a decision or a withdrawal writes on the approval.
DECISION_FIELDS = [
    "state",
    "state_category",
    "comment",
    "decided_at",
    "decided_by",
    "closed_at",
    "link_nonce",
]
COMMENT_MAX = 5000


@dataclass
class StageSpec:
    """One stage as a caller asks for it. `required` is the quorum of the "count" rule."""

    name: str
    approvers: list[User] = field(default_factory=list)
    rule: str = StageRule.ANY
    required: int | None = None


def start_approval(subject: Task, stages: list[StageSpec], *, actor: User, purpose: str = "") -> ApprovalPlan:
    """Create the plan for `subject` and ask the first stage's approvers.

    Raises DomainError before writing anything when a stage cannot work: no approvers (e.g.
    the requester has no manager), an inactive approver, an unknown rule, a `required` count
    outside 1..approvers. The caller decides what to do then (skip the stage, route the
    subject to a fallback approver, or refuse the submission). TransitionNotAllowed when a
    plan for the same subject and purpose is still pending. An empty `stages` list approves
    the plan at once, and the registered handler is called as for any approved plan.
    """
    cleaned = [_clean_spec(spec, position) for position, spec in enumerate(stages, start=1)]
    with transaction.atomic():
        pending = ApprovalPlan.objects.filter(subject=subject, purpose=purpose, outcome=PlanOutcome.PENDING)
        if pending.exists():
            raise TransitionNotAllowed(f"{subject.number} is already waiting for approval.")
        plan = ApprovalPlan.objects.create(subject=subject, purpose=purpose, created_by=actor)
        created = [_create_stage(plan, position, spec) for position, spec in enumerate(cleaned, start=1)]
        record_event(
            subject,
            "approval.started",
            actor=actor,
            body=_plan_sentence(created),
            is_public=True,
        )
        if created:
            _activate(created[0], subject, actor=actor)
        else:
            _finish(plan, subject, PlanOutcome.APPROVED, actor=actor, reason="No approval was needed.")
    return plan


def decide(approval: Approval, *, actor: User, approve: bool, comment: str = "") -> ApprovalPlan:
    """Record the approver's decision and move the plan on; returns the plan as it now stands.

    Only the approver may decide (an admin may not act for them). A rejection needs a
    comment, which the requester reads. The decision is public on the subject's timeline.
    Deciding an approval that is no longer requested is TransitionNotAllowed (409).
    """
    comment = (comment or "").strip()
    if actor.pk != approval.approver_id:
        raise PermissionDenied("Only the person asked for this approval can decide it.")
    if not approve and not comment:
        raise ValidationError({"comment": "Say why you reject it: the requester will read it."})
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": f"Keep the comment under {COMMENT_MAX} characters."})
    plan_id = ApprovalStage.objects.values_list("plan_id", flat=True).get(pk=approval.stage_id)
    with transaction.atomic():
        plan = lock_for_update(ApprovalPlan.objects.select_related("subject"), plan_id)
        current = lock_for_update(Approval.objects.select_related("stage", "approver"), approval.pk)
        if not current.is_requested:
            raise TransitionNotAllowed(
                f"{current.number} was already decided ({APPROVAL_WORKFLOW.label_of(current.state).lower()})."
            )
        _record_decision(current, plan.subject, actor=actor, approve=approve, comment=comment)
        _evaluate(current.stage, plan, actor=actor)
    return plan


def cancel_approval(plan: ApprovalPlan, *, actor: User, reason: str) -> ApprovalPlan:
    """The subject was cancelled: withdraw its open approvals and mark the plan cancelled.

    Callers check who may cancel the subject; this only refuses plans already decided
    (TransitionNotAllowed). The registered handler is called with outcome "cancelled" —
    handlers that started the cancellation themselves should ignore that call.
    """
    with transaction.atomic():
        plan = lock_for_update(ApprovalPlan.objects.select_related("subject"), plan.pk)
        if not plan.is_pending:
            raise TransitionNotAllowed(f"This approval was already {plan.get_outcome_display().lower()}.")
        reason = (reason or "").strip() or "The record was cancelled."
        open_stages = plan.stages.filter(state__in=[StageState.WAITING, StageState.ACTIVE])
        for stage in open_stages:
            _close_stage(stage, StageState.CANCELLED, actor=actor, reason=reason)
        _finish(plan, plan.subject, PlanOutcome.CANCELLED, actor=actor, reason=reason)
    return plan


def current_plan(subject: Task, purpose: str = "") -> ApprovalPlan | None:
    """The subject's latest plan for `purpose` (pending, or how the last one ended)."""
    plans = ApprovalPlan.objects.filter(subject=subject, purpose=purpose)
    return plans.order_by("-created_at", "-id").first()


# --- stages -------------------------------------------------------------------------------


def _clean_spec(spec: StageSpec, position: int) -> StageSpec:
    """The spec with approvers de-duplicated, or DomainError saying what is wrong with it."""
    label = f"Approval stage {position} (“{spec.name}”)" if spec.name else f"Approval stage {position}"
    approvers = list({user.pk: user for user in spec.approvers if user is not None}.values())
    if not approvers:
        raise DomainError(f"{label} has no approvers.")
    inactive = [user.get_username() for user in approvers if not user.is_active]
    if inactive:
        raise DomainError(f"{label}: these approvers' accounts are inactive: {', '.join(inactive)}.")
    if spec.rule not in StageRule.values:
        raise DomainError(f"{label}: unknown rule {spec.rule!r}.")
    required = spec.required if spec.rule == StageRule.COUNT else None
    if spec.rule == StageRule.COUNT and not (required and 1 <= required <= len(approvers)):
        raise DomainError(f"{label}: the number of approvals needed must be between 1 and {len(approvers)}.")
    name = " ".join((spec.name or "").split())[:150] or f"Stage {position}"
    return StageSpec(name=name, approvers=approvers, rule=spec.rule, required=required)


def _create_stage(plan: ApprovalPlan, position: int, spec: StageSpec) -> ApprovalStage:
    stage = ApprovalStage.objects.create(
        plan=plan, position=position, name=spec.name, rule=spec.rule, required=spec.required
    )
    stage.approvers.set(spec.approvers)
    stage._approver_list = spec.approvers
    return stage


def _activate(stage: ApprovalStage, subject: Task, *, actor: User) -> None:
    """Open the stage: one approval task per approver, each notified with a decision link."""
    stage.state = StageState.ACTIVE
    stage.activated_at = timezone.now()
    stage.save(update_fields=["state", "activated_at"])
    approvers = getattr(stage, "_approver_list", None) or list(stage.approvers.order_by("pk"))
    names = ", ".join(notify.person(user) for user in approvers)
    record_event(
        subject,
        "approval.stage_started",
        actor=actor,
        body=f"“{stage.name}”: waiting for {names} ({stage.rule_text(len(approvers))}).",
        is_public=True,
    )
    for approver in approvers:
        approval = _create_approval(stage, subject, approver, actor=actor)
        notify.approval_requested(approval, subject)


def _create_approval(stage: ApprovalStage, subject: Task, approver: User, *, actor: User) -> Approval:
    approval = Approval.objects.create(
        kind=TaskKind.APPROVAL,
        number=next_number(TaskKind.APPROVAL),
        title=f"Approve {subject.number}: {subject.title}"[:250],
        description=f"{stage.name}, for {subject.number}.",
        state=APPROVAL_WORKFLOW.initial,
        state_category=APPROVAL_WORKFLOW.category_of(APPROVAL_WORKFLOW.initial),
        priority=subject.priority,
        impact=subject.impact,
        urgency=subject.urgency,
        requester_id=subject.requester_id,
        assignee=approver,
        service_id=subject.service_id,
        stage=stage,
        approver=approver,
        link_nonce=new_nonce(),
    )
    record_event(approval, "approval.requested", actor=actor, is_public=True)
    attach_clocks(approval)
    return approval


def _record_decision(approval: Approval, subject: Task, *, actor: User, approve: bool, comment: str) -> None:
    """Move the approval, write both timelines (public: the requester sees who decided)."""
    before = clock_snapshot(approval)
    approval.comment = comment
    old, new = APPROVAL_WORKFLOW.apply(approval, "approve" if approve else "reject")
    approval.decided_at = approval.closed_at = timezone.now()
    approval.decided_by = actor
    approval.link_nonce = ""
    save_locked(approval, update_fields=DECISION_FIELDS)
    action = "approval.approved" if approve else "approval.rejected"
    record_state_change(approval, action, actor=actor, old=old, new=new, body=comment)
    verb = "Approved" if approve else "Rejected"
    sentence = f"{verb} by {notify.person(actor)} ({approval.stage.name})"
    body = f"{sentence}: {comment}" if comment else f"{sentence}."
    record_event(subject, action, actor=actor, body=body, is_public=True)
    sync_clocks(approval, before=before)


def _evaluate(stage: ApprovalStage, plan: ApprovalPlan, *, actor: User) -> None:
    """Apply the stage's rule; a passed stage opens the next one, a failed one rejects the plan."""
    result = rules.evaluate(stage.rule, _tally(stage), stage.required)
    if result is None:
        return
    subject = plan.subject
    if result == rules.FAILED:
        reason = f"“{stage.name}” was rejected."
        _close_stage(stage, StageState.REJECTED, actor=actor, reason=reason)
        for later in plan.stages.filter(position__gt=stage.position):
            _close_stage(later, StageState.CANCELLED, actor=actor, reason=reason)
        _finish(plan, subject, PlanOutcome.REJECTED, actor=actor, reason=_rejection_reasons(stage))
        return
    _close_stage(stage, StageState.APPROVED, actor=actor, reason=f"“{stage.name}” was approved.")
    following = plan.stages.filter(position__gt=stage.position).order_by("position").first()
    if following is not None:
        _activate(following, subject, actor=actor)
    else:
        _finish(plan, subject, PlanOutcome.APPROVED, actor=actor)


def _tally(stage: ApprovalStage) -> rules.Tally:
    counts = stage.approvals.aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=Q(state=Decision.APPROVED)),
        rejected=Count("pk", filter=Q(state=Decision.REJECTED)),
    )
    return rules.Tally(total=counts["total"], approved=counts["approved"], rejected=counts["rejected"])


def _close_stage(stage: ApprovalStage, state: str, *, actor: User, reason: str) -> None:
    """Finish the stage; its approvals still requested become "no longer needed"."""
    stage.state = state
    stage.decided_at = timezone.now()
    stage.save(update_fields=["state", "decided_at"])
    for approval in stage.approvals.filter(state=Decision.REQUESTED).order_by("pk"):
        _withdraw(approval, actor=actor, reason=reason)


def _withdraw(approval: Approval, *, actor: User, reason: str) -> None:
    """An approval nobody needs any more. Runs under the plan's lock, which guards its approvals."""
    before = clock_snapshot(approval)
    old, new = APPROVAL_WORKFLOW.apply(approval, "cancel")
    approval.closed_at = timezone.now()
    approval.link_nonce = ""
    save_locked(approval, update_fields=DECISION_FIELDS)
    record_state_change(approval, "approval.withdrawn", actor=actor, old=old, new=new, body=reason)
    sync_clocks(approval, before=before)


def _finish(plan: ApprovalPlan, subject: Task, outcome: str, *, actor: User, reason: str = "") -> None:
    """Set the outcome, tell the subject's timeline and requester, then call the practice's handler."""
    plan.outcome = outcome
    plan.decided_at = timezone.now()
    plan.save(update_fields=["outcome", "decided_at"])
    record_event(subject, f"approval.plan_{outcome}", actor=actor, body=reason, is_public=True)
    notify.plan_decided(plan, subject, reason=reason)
    registration = registry.registration_for(subject.kind)
    if registration is not None:
        registration.handler(plan, outcome, actor)


def _rejection_reasons(stage: ApprovalStage) -> str:
    rejected = stage.approvals.filter(state=Decision.REJECTED).select_related("approver")
    rejected = rejected.order_by("decided_at", "pk")
    return "\n".join(f"{notify.person(a.approver)}: {a.comment}" for a in rejected)


def _plan_sentence(stages: list[ApprovalStage]) -> str:
    if not stages:
        return "No approval is needed."
    steps = "; ".join(f"{stage.position}. {stage.name}" for stage in stages)
    return f"Approval requested in {len(stages)} stage{'s' if len(stages) != 1 else ''}: {steps}."
