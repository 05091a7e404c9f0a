"""SLA definitions (what is promised, for which tasks, on which calendar) and their escalation steps."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from itsm.cmdb.choices import CIClass
from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.sla.choices import ACTION_NEEDS, DEFAULT_WARNING_THRESHOLDS, EscalationAction, Target, Trigger
from itsm.sla.querysets import SLADefinitionQuerySet


def default_thresholds() -> list[int]:
    return list(DEFAULT_WARNING_THRESHOLDS)


class SLADefinition(models.Model):
    """A promise: respond to / resolve / (OLA) hold for at most `duration` of business time.

    It applies to the tasks matching every condition that is set (empty means "any"). When
    several active definitions of one target match a task, the lowest `precedence` wins
    (then the oldest), so a task has at most one open clock per target. An OLA measures the
    assignment group's share and starts again for each group the task is handed to.
    """

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    target = models.CharField(max_length=20, choices=Target.choices)
    duration = models.DurationField(help_text="Business time allowed, e.g. 04:00:00 or 2 00:00:00.")
    calendar = models.ForeignKey("sla.Calendar", on_delete=models.PROTECT, related_name="definitions")
    active = models.BooleanField(default=True)
    precedence = models.PositiveIntegerField(
        default=100, help_text="When several definitions of one target match a task, the lowest wins."
    )

    kinds = models.JSONField(default=list, blank=True, help_text="Task kinds; empty: every kind.")
    priorities = models.JSONField(default=list, blank=True, help_text="Priorities; empty: every priority.")
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="sla_definitions"
    )
    ci_class = models.CharField("CI class", max_length=30, choices=CIClass.choices, blank=True)
    category = models.CharField(
        max_length=100, blank=True, help_text="The task's category name, for kinds that have categories."
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_definitions",
        help_text="The requester's organisation.",
    )
    vip_only = models.BooleanField("VIP requesters only", default=False)
    assignment_group = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_definitions",
        help_text="Only while this group holds the task (typical for OLAs).",
    )

    pause_on = models.JSONField(
        default=list, blank=True, help_text="State categories in which the clock pauses, e.g. pending."
    )
    warning_thresholds = models.JSONField(
        default=default_thresholds, blank=True, help_text="Percent of the target used, e.g. [50, 75, 90]."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SLADefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["target", "precedence", "name"]
        verbose_name = "SLA definition"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.duration is not None and self.duration <= timedelta(0):
            errors["duration"] = "The target must be longer than zero."
        checks = [
            ("kinds", TaskKind.values, "task kind"),
            ("priorities", Priority.values, "priority"),
            ("pause_on", StateCategory.active(), "state category in which work is owed"),
        ]
        for field, allowed, what in checks:
            message = _list_error(getattr(self, field), allowed, what)
            if message:
                errors[field] = message
        message = _thresholds_error(self.warning_thresholds)
        if message:
            errors["warning_thresholds"] = message
        if errors:
            raise ValidationError(errors)


class EscalationStep(models.Model):
    """Something to do when a clock of the definition crosses a warning threshold or breaches.

    Runs exactly once per clock and step, in the sweep's transaction, after the threshold's
    compare-and-set update succeeded.
    """

    definition = models.ForeignKey(SLADefinition, on_delete=models.CASCADE, related_name="escalation_steps")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.BREACH)
    percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For a warning step: one of the definition's warning thresholds."
    )
    action = models.CharField(max_length=30, choices=EscalationAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who to notify (for “notify a person”).",
    )
    team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The group to reassign to.",
    )
    note = models.TextField(blank=True, help_text="The work note to add.")
    webhook_url = models.URLField(blank=True, max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["definition", "order", "pk"]

    def __str__(self) -> str:
        when = "on breach" if self.trigger == Trigger.BREACH else f"at {self.percent}%"
        return f"{self.get_action_display()} {when}"

    @property
    def point(self) -> int:
        """The percent this step belongs to (100 is the breach)."""
        return 100 if self.trigger == Trigger.BREACH else (self.percent or 0)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.trigger == Trigger.WARNING:
            thresholds = self._definition_thresholds()
            if self.percent is None:
                errors["percent"] = "Say at which warning threshold this step runs."
            elif thresholds is not None and self.percent not in thresholds:
                errors["percent"] = f"Use one of the definition's warning thresholds: {thresholds}."
        elif self.percent is not None:
            errors["percent"] = "A breach step has no percent."
        errors.update(_action_field_errors(self))
        if errors:
            raise ValidationError(errors)

    def _definition_thresholds(self) -> list[int] | None:
        """The definition's thresholds, also while both are being created (definition not saved yet)."""
        if self.definition_id or EscalationStep._meta.get_field("definition").is_cached(self):
            return self.definition.warning_thresholds
        return None


def _action_field_errors(step: EscalationStep) -> dict[str, str]:
    needed = ACTION_NEEDS.get(step.action)
    values = {
        "user": step.user_id,
        "team": step.team_id,
        "note": step.note.strip(),
        "webhook_url": step.webhook_url,
    }
    errors = {}
    for field, value in values.items():
        if field == needed and not value:
            errors[field] = "This action needs this field."
        elif field != needed and value:
            errors[field] = "Leave this empty for this action."
    return errors


def _list_error(values, allowed, what: str) -> str | None:
    if not isinstance(values, list):
        return "Give a list."
    unknown = [value for value in values if value not in allowed]
    if unknown:
        return f"Not a {what}: {', '.join(map(str, unknown))}."
    if len(set(values)) != len(values):
        return "Each value only once."
    return None


def _thresholds_error(values) -> str | None:
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        return "Give whole percentages, e.g. [50, 75, 90]."
    if any(not 0 < value < 100 for value in values):
        return "Each threshold must be between 1 and 99 percent (100% is the breach)."
    if len(set(values)) != len(values):
        return "Each threshold only once."
    return None
