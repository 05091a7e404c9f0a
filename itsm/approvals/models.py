"""Approval plans, their stages, and approvals (a kind of `core.Task`).

A plan belongs to one subject task (a requested item, a change) and one purpose; its stages
run in order; each stage, once active, asks each of its approvers through one `Approval`.
Only `itsm.approvals.services` writes these rows.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

from itsm.approvals.choices import Decision, PlanOutcome, StageRule, StageState
from itsm.core import roles
from itsm.core.models import Task
from itsm.core.querysets import TaskQuerySet, approvals_visible_to


class ApprovalPlan(models.Model):
    """The approvals one subject needs for one purpose (e.g. "fulfilment", "cab").

    At most one plan per (subject, purpose) is pending at a time; a rejected or cancelled
    plan may be followed by a new one (the subject was submitted again).
    """

    subject = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="approval_plans")
    purpose = models.CharField(max_length=50, blank=True)
    outcome = models.CharField(max_length=20, choices=PlanOutcome.choices, default=PlanOutcome.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "purpose"],
                condition=Q(outcome="pending"),
                name="approval_plan_one_pending",
            )
        ]

    def __str__(self) -> str:
        purpose = f" ({self.purpose})" if self.purpose else ""
        return f"Approval of task {self.subject_id}{purpose}: {self.get_outcome_display()}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == PlanOutcome.PENDING


class ApprovalStage(models.Model):
    """One step of a plan: its approvers and the rule by which their decisions add up."""

    plan = models.ForeignKey(ApprovalPlan, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150)
    rule = models.CharField(max_length=20, choices=StageRule.choices, default=StageRule.ANY)
    required = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Approvals needed, for the 'count' rule."
    )
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    state = models.CharField(max_length=20, choices=StageState.choices, default=StageState.WAITING)
    activated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="approval_stage_position_unique")
        ]

    def __str__(self) -> str:
        return f"Stage {self.position}: {self.name}"

    def rule_text(self, count: int) -> str:
        """The rule as people read it, for `count` approvers: "any one of 3", "2 of 5"."""
        if count <= 1 and self.rule != StageRule.COUNT:
            return "one approver"
        if self.rule == StageRule.ANY:
            return f"any one of {count}"
        if self.rule == StageRule.ALL:
            return f"all {count}"
        if self.rule == StageRule.MAJORITY:
            return f"more than half of {count}"
        return f"{self.required} of {count}"


class ApprovalQuerySet(TaskQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "ApprovalQuerySet":
        """Approvers see their approvals; a subject's requester (and whoever follows it) and the
        agents of the team working the subject see its approvals (read-only); managers and
        admins see all. The rule is `itsm.core.querysets.approvals_visible_to`, which
        `Task.objects.visible_to` applies too, so the pages and every API agree."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if roles.sees_everything(user):
            return self
        return self.filter(approvals_visible_to(user))

    def for_approver(self, user: User) -> "ApprovalQuerySet":
        return self.filter(approver_id=user.pk)

    def requested(self) -> "ApprovalQuerySet":
        return self.filter(state="requested")

    def decided(self) -> "ApprovalQuerySet":
        return self.exclude(state="requested")


class Approval(Task):
    """One approver's answer to one stage (kind `approval`, number APV…).

    A Task, so it sits in the approver's "My work" (assignee = approver) and carries a
    timeline. `state` is the decision (see `Decision`). `link_nonce` makes the e-mailed
    decision link single-use: it is cleared once the approval is decided in any way.
    """

    stage = models.ForeignKey(ApprovalStage, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals")
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    link_nonce = models.CharField(max_length=64, blank=True, editable=False)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-task_ptr_id"]
        constraints = [models.UniqueConstraint(fields=["stage", "approver"], name="approval_once_per_stage")]

    @property
    def is_requested(self) -> bool:
        return self.state == "requested"

    @property
    def decision_label(self) -> str:
        return Decision(self.state).label if self.state in Decision.values else self.state

    @property
    def plan(self) -> ApprovalPlan:
        return self.stage.plan

    @property
    def subject(self) -> Task:
        return self.stage.plan.subject


def subjects_approved_by(user: User) -> Q:
    """Row filter for subject tasks `user` is or was asked to approve.

    Approvers are often not the requester and not staff, so a practice's `visible_to` for its
    subjects should OR this in (`Q(...) | subjects_approved_by(user)`): then the approval page's
    link to the subject opens for the approver. Works on `Task` and on its subclasses.
    """
    asked = Approval.objects.filter(stage__plan__subject_id=OuterRef("pk"), approver_id=user.pk)
    return Q(Exists(asked))
