"""The Task base: the one table every workable record stands on."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from itsm.core.choices import Impact, Priority, StateCategory, TaskKind, Urgency
from itsm.core.querysets import TaskQuerySet

#: Rows in which work is still owed; most queue indexes cover only these.
ACTIVE = Q(state_category__in=["new", "open", "pending"])


class Task(models.Model):
    """A workable record: incident, problem, change, request, their tasks, approvals.

    Practice apps subclass this (multi-table inheritance), so queues, SLA clocks, the
    timeline, links and attachments work on one table with real foreign keys. Only
    services write `state`, `state_category`, `assignee` and `priority`.
    """

    number = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=TaskKind.choices, db_index=True, editable=False)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)

    state = models.CharField(max_length=40, db_index=True)
    state_category = models.CharField(max_length=20, choices=StateCategory.choices, default=StateCategory.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MODERATE)
    impact = models.PositiveSmallIntegerField(choices=Impact.choices, default=Impact.MEDIUM)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.MEDIUM)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_tasks",
    )
    assignment_group = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    watchers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="watched_tasks")

    opened_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["state_category", "priority", "opened_at"], name="task_queue_idx"),
            models.Index(fields=["assignee", "state_category"], name="task_assignee_idx"),
            models.Index(fields=["assignment_group", "state_category"], name="task_group_idx"),
            models.Index(fields=["requester", "state_category"], name="task_requester_idx"),
            models.Index(fields=["kind", "state_category"], name="task_kind_idx"),
            # API sync and `ordering=±updated_at`: the cursor pages order by (updated_at, id).
            models.Index(fields=["updated_at", "id"], name="task_updated_id_idx"),
            # Queue pages: keyset pages on (sort key, id) over active work; see docs/performance.md.
            models.Index(fields=["priority", "id"], name="task_active_prio_idx", condition=ACTIVE),
            models.Index(
                fields=["assignee", "priority", "id"], name="task_active_assignee_idx", condition=ACTIVE
            ),
            models.Index(
                fields=["assignment_group", "priority", "id"], name="task_active_group_idx", condition=ACTIVE
            ),
            models.Index(
                fields=["priority", "id"],
                name="task_unassigned_idx",
                condition=ACTIVE & Q(assignee__isnull=True),
            ),
            models.Index(fields=["opened_at", "id"], name="task_opened_idx"),
            # Dashboards: period figures per kind read these ranges as index-only scans on PostgreSQL
            # (the included columns are the overview's filters and measures); see docs/performance.md.
            models.Index(
                fields=["kind", "opened_at"],
                include=[
                    "id",
                    "priority",
                    "assignment_group",
                    "service",
                    "configuration_item",
                    "state_category",
                ],
                name="task_kind_opened_id_idx",
            ),
            # Dashboards' "now" figures (open backlog by kind, team, priority, age, service): an
            # index-only scan of the open rows, which are spread thinly over the heap.
            models.Index(
                fields=["kind", "assignment_group", "priority"],
                include=["id", "service", "assignee", "opened_at", "state_category", "configuration_item"],
                name="task_active_dash_idx",
                condition=ACTIVE,
            ),
            models.Index(
                fields=["kind", "resolved_at"],
                include=[
                    "id",
                    "priority",
                    "assignment_group",
                    "service",
                    "opened_at",
                    "responded_at",
                    "state_category",
                ],
                name="task_kind_resolved_id_idx",
                condition=Q(resolved_at__isnull=False),
            ),
            models.Index(fields=["updated_at", "id"], name="task_on_hold_idx", condition=Q(state="on_hold")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        """The practice app's page for this record (`<app>:detail`), or the generic one."""
        try:
            return reverse(f"{self.kind}:detail", args=[self.pk])
        except NoReverseMatch:
            return reverse("core:task-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state_category in StateCategory.active()
