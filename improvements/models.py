"""Improvement initiatives: what to improve, why (a dashboard figure, a problem, a PIR), who owns
it, what it should bring and what it did bring.

Initiatives are not `core.Task`s (no queue, SLA or assignment group): they link to the records
behind them explicitly (`InitiativeLink`) and keep their own timeline (`InitiativeEvent`).
Only `improvements.services` writes them.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.urls import reverse

from improvements.choices import LinkKind, Status
from itsm.core import roles


class InitiativeQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "InitiativeQuerySet":
        """Staff (agents and above) read the register; requesters never see it."""
        if not user.is_authenticated or not user.is_active or not roles.is_staff_member(user):
            return self.none()
        return self


class Initiative(models.Model):
    number = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    motivation = models.TextField(help_text="The problem or figure that motivated it.")
    metric = models.CharField(
        max_length=80, blank=True, help_text="The dashboard figure it should move, e.g. changes.success_rate."
    )
    baseline_value = models.FloatField(
        null=True, blank=True, help_text="The figure's value when it was created."
    )
    #: The dashboard filters the figure was read with (team, service, priority), reused for the chart.
    metric_filters = models.JSONField(default=dict, blank=True)
    source_url = models.CharField(max_length=500, blank=True, help_text="The dashboard page it came from.")
    expected_benefit = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_initiatives",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    state_category = models.CharField(max_length=20, default="new", editable=False)
    measured_outcome = models.TextField(blank=True)
    outcome_value = models.FloatField(null=True, blank=True, help_text="The figure's value when realised.")
    close_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="initiative_status_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("improvements:detail", args=[self.pk])

    # `state` is what the shared workflow helper moves.
    @property
    def state(self) -> str:
        return self.status

    @state.setter
    def state(self, value: str) -> None:
        self.status = value


class InitiativeLink(models.Model):
    """A problem, a change (for its post-implementation review) or another record behind an initiative."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links")
    task = models.ForeignKey("core.Task", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=LinkKind.choices, default=LinkKind.RECORD)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["initiative", "task"], name="initiative_link_once")]

    def __str__(self) -> str:
        return f"{self.initiative_id} → {self.task_id}"


class InitiativeEvent(models.Model):
    """The initiative's timeline: who did what, written in the same transaction as the change."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} on {self.initiative_id}"


class SummarySubscription(models.Model):
    """A manager who asked for the weekly dashboard summary by e-mail (opt-in)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_week = models.CharField(
        max_length=10, blank=True, help_text="ISO week of the last summary sent."
    )

    def __str__(self) -> str:
        return f"Weekly summary for {self.user}"
