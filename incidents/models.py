"""Incidents on the Task base, their categories, the priority matrix and routing rules."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from incidents.choices import AssignmentMethod, ContactType, HoldReason, MajorIncidentState, ResolutionCode
from itsm.core.choices import Impact, Priority, Urgency
from itsm.core.models import Task
from itsm.core.querysets import TaskQuerySet


class Category(models.Model):
    """Incident category; a category with a parent is a subcategory. Managed by admins."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="incident_category_unique")]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class PriorityRule(models.Model):
    """One cell of the impact × urgency matrix; admins edit the cells."""

    impact = models.PositiveSmallIntegerField(choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique")]

    def __str__(self) -> str:
        return f"impact {self.impact} × urgency {self.urgency} → P{self.priority}"


class IncidentQuerySet(TaskQuerySet):
    def major_open(self) -> "IncidentQuerySet":
        return self.active().filter(major_state=MajorIncidentState.ACCEPTED)


class Incident(Task):
    """An unplanned interruption or reduction in quality of a service."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        limit_choices_to={"parent__isnull": True},
    )
    subcategory = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_incidents",
        limit_choices_to={"parent__isnull": False},
    )
    contact_type = models.CharField(max_length=20, choices=ContactType.choices, default=ContactType.PORTAL)
    major_state = models.CharField(max_length=20, choices=MajorIncidentState.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    hold_reason = models.CharField(max_length=30, choices=HoldReason.choices, blank=True)
    resolution_code = models.CharField(max_length=30, choices=ResolutionCode.choices, blank=True)
    resolution_notes = models.TextField(blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-task_ptr_id"]
        indexes = [
            models.Index(fields=["major_state"], name="incident_major_idx", condition=~Q(major_state=""))
        ]

    @property
    def is_major(self) -> bool:
        return self.major_state == MajorIncidentState.ACCEPTED


class Rating(models.Model):
    """The requester's satisfaction with a resolution: once per resolution, 1 to 5."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ratings")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(choices=[(n, str(n)) for n in range(1, 6)])
    comment = models.TextField(blank=True)
    resolved_at = models.DateTimeField(help_text="Which resolution this rates.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "resolved_at"], name="rating_once_per_resolution"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for {self.incident_id}"


class RoutingRule(models.Model):
    """Where a new incident goes: the first active rule (by order) whose conditions all match."""

    name = models.CharField(max_length=150)
    order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact_type = models.CharField(max_length=20, choices=ContactType.choices, blank=True)
    assignment_group = models.ForeignKey("core.Team", on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True, help_text="Overrides the matrix when set."
    )
    assignment_method = models.CharField(
        max_length=20, choices=AssignmentMethod.choices, default=AssignmentMethod.MANUAL
    )

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    def matches(self, incident: Incident) -> bool:
        checks = (
            (self.category_id, incident.category_id),
            (self.service_id, incident.service_id),
            (self.configuration_item_id, incident.configuration_item_id),
            (self.contact_type or None, incident.contact_type),
        )
        return all(wanted is None or wanted == actual for wanted, actual in checks)
