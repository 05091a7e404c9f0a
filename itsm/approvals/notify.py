"""The approval machinery's notifications: outbox rows written in the deciding transaction."""

from django.contrib.auth.models import User

from itsm.approvals.choices import PlanOutcome
from itsm.approvals.models import Approval, ApprovalPlan
from itsm.approvals.tokens import approval_link
from itsm.notifications.services import notify_user


def approval_requested(approval: Approval, subject) -> None:
    """Ask the approver: in-app, and by e-mail with a signed link to decide."""
    notify_user(
        approval.approver,
        title=f"Your approval is needed: {subject.number} {subject.title}",
        body=f"Requested by {person(subject.requester)}." if subject.requester_id else "",
        url=approval.get_absolute_url(),
        task=approval,
        email_template="approval_request",
        context={
            "approval": approval,
            "subject": subject,
            "stage": approval.stage,
            "requester": subject.requester,
            "decide_link": approval_link(approval),
        },
        dedupe_key=f"approval:{approval.pk}:requested:{approval.approver_id}",
    )


def person(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else "nobody"


OUTCOME_TITLES = {
    PlanOutcome.APPROVED: "{number} was approved",
    PlanOutcome.REJECTED: "{number} was not approved",
}


def plan_decided(plan: ApprovalPlan, subject, *, reason: str = "") -> None:
    """Tell the subject's requester how the approval ended (not for cancelled plans: they cancelled it)."""
    requester: User | None = subject.requester
    template = OUTCOME_TITLES.get(plan.outcome)
    if requester is None or template is None:
        return
    notify_user(
        requester,
        title=f"{template.format(number=subject.number)}: {subject.title}",
        body=reason,
        url=subject.get_absolute_url(),
        task=subject,
        email_template="approval_outcome",
        context={"plan": plan, "subject": subject, "outcome": plan.outcome, "reason": reason},
        dedupe_key=f"approval-plan:{plan.pk}:{plan.outcome}:{requester.pk}",
    )
