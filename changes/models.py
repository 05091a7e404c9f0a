"""Changes and change tasks (on the Task base), standard-change templates, the risk
questionnaire, CAB policies and post-implementation reviews.

Changes are internal work: requesters never see them. Approvers who are not staff see the
changes they are asked to authorize (`subjects_approved_by`). Links to problems (problem
*resolved by* change) and incidents (incident *caused by* change) are `core.TaskLink` rows, so
this app never imports the other practices' models.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from changes.choices import ChangeTaskType, ChangeType, CloseCode, RiskLevel
from itsm.approvals.choices import PlanOutcome, StageRule
from itsm.approvals.models import ApprovalPlan, subjects_approved_by
from itsm.core import roles
from itsm.core.models import Task
from itsm.core.querysets import TaskQuerySet


class ChangeQuerySet(TaskQuerySet):
    """Staff see every change; an approver sees the changes they are asked to authorize;
    requesters see none (not even a change raised from their catalog order)."""

    def visible_to(self, user: User | AnonymousUser) -> "ChangeQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if roles.is_staff_member(user):
            return self
        return self.filter(subjects_approved_by(user))

    def awaiting_authorization(self) -> "ChangeQuerySet":
        return self.filter(state="authorize")

    def scheduled_between(self, start, end) -> "ChangeQuerySet":
        """Changes whose planned window overlaps [start, end)."""
        return self.filter(planned_start__lt=end, planned_end__gt=start)


class ChangeTaskQuerySet(TaskQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "ChangeTaskQuerySet":
        if not user.is_authenticated or not user.is_active or not roles.is_staff_member(user):
            return self.none()
        return self


class StandardChangeTemplate(models.Model):
    """A pre-approved, repeatable change (a model, in ITIL terms): raising a change from it
    skips assessment and the CAB. Change managers keep these in the admin."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True, help_text="What the change does; copied into each change.")
    is_active = models.BooleanField(default=True)
    reason = models.TextField(blank=True)
    implementation_plan = models.TextField()
    backout_plan = models.TextField()
    test_plan = models.TextField(blank=True)
    risk = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.LOW)
    duration = models.DurationField(null=True, blank=True, help_text="Typical length; sets the planned end.")
    assignment_group = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="+")
    configuration_items = models.ManyToManyField("cmdb.ConfigurationItem", blank=True, related_name="+")
    catalog_item = models.OneToOneField(
        "catalog.CatalogItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Catalog item (flagged “standard change”) whose orders raise a change from this template.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TemplateTask(models.Model):
    """A change task every change from the template gets, in order."""

    template = models.ForeignKey(StandardChangeTemplate, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    task_type = models.CharField(
        max_length=20, choices=ChangeTaskType.choices, default=ChangeTaskType.IMPLEMENTATION
    )
    assignment_group = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Change(Task):
    """An addition, modification or removal of anything that could affect services.

    `state` follows `changes.workflow.CHANGE_WORKFLOW`; only `changes.services` writes it, the
    risk fields and the blackout override.
    """

    change_type = models.CharField(max_length=20, choices=ChangeType.choices, default=ChangeType.NORMAL)
    template = models.ForeignKey(
        StandardChangeTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    reason = models.TextField(blank=True, help_text="Why the change is needed (justification).")
    implementation_plan = models.TextField(blank=True)
    backout_plan = models.TextField(blank=True)
    test_plan = models.TextField(blank=True)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    risk = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.MODERATE)
    risk_score = models.PositiveSmallIntegerField(default=0, help_text="0–100, from the last assessment.")
    risk_evidence = models.JSONField(default=dict, blank=True, editable=False)
    risk_assessed_at = models.DateTimeField(null=True, blank=True, editable=False)
    change_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_changes",
    )
    affected_services = models.ManyToManyField("cmdb.Service", blank=True, related_name="changes")
    affected_cis = models.ManyToManyField("cmdb.ConfigurationItem", blank=True, related_name="changes")
    cab_date = models.DateField(null=True, blank=True, help_text="The CAB meeting that discusses it.")
    close_code = models.CharField(max_length=30, choices=CloseCode.choices, blank=True)
    close_notes = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    blackout_override_reason = models.TextField(blank=True)
    blackout_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    blackout_override_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-task_ptr_id"]
        indexes = [
            models.Index(fields=["planned_start", "planned_end"], name="change_planned_idx"),
            models.Index(fields=["change_type", "risk"], name="change_type_risk_idx"),
            models.Index(fields=["cab_date"], name="change_cab_idx", condition=Q(cab_date__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="change_planned_end_after_start",
            )
        ]

    @property
    def pir_required(self) -> bool:
        """Failed, backed-out, emergency and high-risk changes get a post-implementation review."""
        return (
            self.change_type == ChangeType.EMERGENCY
            or self.close_code in CloseCode.unsuccessful()
            or RiskLevel.rank(self.risk) >= RiskLevel.rank(RiskLevel.HIGH)
        )

    # What the workflow guards read (`changes.workflow`); cached for one request or one service call.

    @cached_property
    def cab_plan(self) -> ApprovalPlan | None:
        """The latest CAB approval plan (pending, or how the last one ended)."""
        plans = ApprovalPlan.objects.filter(subject_id=self.pk, purpose="cab")
        return plans.order_by("-created_at", "-id").first()

    @property
    def cab_approved(self) -> bool:
        return self.cab_plan is not None and self.cab_plan.outcome == PlanOutcome.APPROVED

    @cached_property
    def open_task_numbers(self) -> list[str]:
        tasks = ChangeTask.objects.filter(parent_change_id=self.pk, state__in=["open", "in_progress"])
        return list(tasks.order_by("task_ptr_id").values_list("number", flat=True))

    @cached_property
    def has_review(self) -> bool:
        return PostImplementationReview.objects.filter(change_id=self.pk).exists()


class ChangeTask(Task):
    """A step of a change (implementation, test, review) assigned to a group.

    With `order` set, a task cannot start before every task of a lower order is finished.
    """

    parent_change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="change_tasks")
    task_type = models.CharField(
        max_length=20, choices=ChangeTaskType.choices, default=ChangeTaskType.IMPLEMENTATION
    )
    order = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    objects = ChangeTaskQuerySet.as_manager()

    class Meta:
        ordering = [models.F("order").asc(nulls_last=True), "opened_at", "task_ptr_id"]

    @cached_property
    def blocking_numbers(self) -> list[str]:
        """Unfinished tasks of a lower order on the same change (what this one waits for)."""
        if self.order is None:
            return []
        earlier = ChangeTask.objects.filter(
            parent_change_id=self.parent_change_id, order__lt=self.order, state__in=["open", "in_progress"]
        )
        return list(earlier.order_by("order", "task_ptr_id").values_list("number", flat=True))


class RiskQuestion(models.Model):
    """One question of the risk questionnaire; its answers carry the weights."""

    text = models.CharField(max_length=250)
    help_text = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=10)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class RiskAnswer(models.Model):
    """A possible answer; `weight` (0–10) is how much risk it adds."""

    question = models.ForeignKey(RiskQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.CharField(max_length=200)
    weight = models.PositiveSmallIntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__lte=10), name="risk_answer_weight_max"),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.weight})"


class ChangeRiskAnswer(models.Model):
    """The answer given for a change to one question."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="risk_answers")
    question = models.ForeignKey(RiskQuestion, on_delete=models.PROTECT, related_name="+")
    answer = models.ForeignKey(RiskAnswer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "question"], name="change_risk_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.answer_id}"


class CABPolicy(models.Model):
    """Who authorizes which changes: the first active policy (by order) matching the change's type
    and risk gives the approval stages. Emergency changes match emergency-CAB policies."""

    name = models.CharField(max_length=150, unique=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    change_type = models.CharField(
        max_length=20, choices=ChangeType.choices, blank=True, help_text="Blank: any type."
    )
    min_risk = models.CharField(
        max_length=20,
        choices=RiskLevel.choices,
        default=RiskLevel.LOW,
        help_text="Applies from this risk up.",
    )
    max_risk = models.CharField(
        max_length=20, choices=RiskLevel.choices, default=RiskLevel.VERY_HIGH, help_text="… up to this risk."
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "CAB policy"
        verbose_name_plural = "CAB policies"

    def __str__(self) -> str:
        return self.name

    def matches(self, change: Change) -> bool:
        if self.change_type and self.change_type != change.change_type:
            return False
        rank = RiskLevel.rank(change.risk)
        return RiskLevel.rank(self.min_risk) <= rank <= RiskLevel.rank(self.max_risk)


class CABStage(models.Model):
    """One stage of a policy: the members of `group` decide by `rule`."""

    policy = models.ForeignKey(CABPolicy, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=150)
    group = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=20, choices=StageRule.choices, default=StageRule.ANY)
    required = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For the “number of approvers” rule (a quorum)."
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "CAB stage"

    def __str__(self) -> str:
        return f"{self.name} ({self.group})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.rule == StageRule.COUNT and not self.required:
            raise ValidationError({"required": "Say how many approvals make the quorum."})


class PostImplementationReview(models.Model):
    """What was learnt from a change: required for failed, emergency and high-risk changes."""

    change = models.OneToOneField(Change, on_delete=models.CASCADE, related_name="review")
    findings = models.TextField()
    lessons_learned = models.TextField(blank=True)
    objectives_met = models.BooleanField(default=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Review of change {self.change_id}"


class FollowUpAction(models.Model):
    """An action agreed in a review, with an owner and a due date."""

    review = models.ForeignKey(PostImplementationReview, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.description
