"""Translating an item's approval policy into the shared approval machinery (`itsm.approvals`),
and reacting when a plan's outcome is known."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from catalog.choices import ApprovalRule, ApproverKind
from catalog.models import RequestItem
from itsm.approvals.choices import Decision
from itsm.approvals.models import Approval, ApprovalPlan
from itsm.approvals.services import StageSpec, cancel_approval, current_plan, start_approval
from itsm.core.models import Team

PURPOSE = "fulfilment"


def stages_for(policy: list[dict], *, requester: User, opened_by: User, field: str) -> list[StageSpec]:
    """StageSpecs for a frozen policy; ValidationError (keyed `field`) when a stage has nobody to ask.

    Neither the person the item is for nor the one ordering it approves their own order.
    """
    excluded = {requester.pk, opened_by.pk}
    stages = []
    for step in policy:
        approvers = _approvers(step, requester, excluded)
        if not approvers:
            raise ValidationError({field: _nobody(step, requester)})
        required = step.get("required")
        if step["rule"] == ApprovalRule.COUNT and (required or 0) > len(approvers):
            short = f"“{step['name']}” needs {required} approvals; only {len(approvers)} can give them."
            raise ValidationError({field: short})
        stages.append(StageSpec(step["name"], approvers, rule=step["rule"], required=required))
    return stages


def _approvers(step: dict, requester: User, excluded: set[int]) -> list[User]:
    if step["approver"] == ApproverKind.MANAGER:
        profile = getattr(requester, "profile", None)
        manager = profile.manager if profile is not None else None
        return [manager] if manager and manager.is_active and manager.pk not in excluded else []
    team = Team.objects.filter(pk=step["team_id"], is_active=True).first()
    if team is None:
        return []
    return list(team.members.filter(is_active=True).exclude(pk__in=excluded).order_by("pk"))


def _nobody(step: dict, requester: User) -> str:
    if step["approver"] == ApproverKind.MANAGER:
        name = requester.get_full_name() or requester.get_username()
        return (
            f"This item needs the approval of {name}'s manager, and no manager is recorded. "
            "Ask the service desk to record the manager, then order again."
        )
    return f"Nobody can give the approval “{step['name']}”: ask the service desk."


def ask_approval(item: RequestItem, stages: list[StageSpec], *, actor: User) -> ApprovalPlan:
    return start_approval(item, stages, actor=actor, purpose=PURPOSE)


def withdraw_approval(item: RequestItem, *, actor: User, reason: str) -> None:
    """Cancel the item's pending approvals (the item was cancelled)."""
    plan = current_plan(item, PURPOSE)
    if plan is not None and plan.is_pending:
        cancel_approval(plan, actor=actor, reason=reason)


def rejection_reason(plan: ApprovalPlan) -> str:
    """What the rejecting approvers wrote, for the item's close reason."""
    rejected = (
        Approval.objects.filter(stage__plan=plan, state=Decision.REJECTED)
        .select_related("approver")
        .order_by("decided_at")
    )
    return (
        "\n".join(f"{a.approver.get_full_name() or a.approver.get_username()}: {a.comment}" for a in rejected)
        or "Rejected."
    )


def approvals_of(item_ids: list[int]) -> dict[int, list[Approval]]:
    """Every approval asked for the given items, grouped by item, for the request pages."""
    found: dict[int, list[Approval]] = {pk: [] for pk in item_ids}
    rows = (
        Approval.objects.filter(stage__plan__subject_id__in=item_ids, stage__plan__purpose=PURPOSE)
        .select_related("approver", "stage", "stage__plan")
        .order_by("stage__plan__created_at", "stage__position", "task_ptr_id")
    )
    for approval in rows:
        found[approval.stage.plan.subject_id].append(approval)
    return found
