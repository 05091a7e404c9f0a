"""What happens to a task: its timeline, its links to other tasks, its attachments."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from itsm.core.choices import LinkKind, TimelineKind


class TimelineEntry(models.Model):
    """One event in a task's history, written by the service that caused it.

    `action` is a dotted code (`incident.resolved`, `task.comment_added`); `changes`
    holds `{field: {"old": ..., "new": ...}}` for field and state changes.
    """

    task = models.ForeignKey("core.Task", on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    action = models.CharField(max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for events caused by the system (SLA sweeps, automations).",
    )
    body = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=False, help_text="Shown to the requester in the portal.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["task", "created_at"], name="timeline_task_idx"),
            # Dashboards: reopen and reassignment history for first-contact and reopen rates (and their
            # drill-downs), a small partial index instead of scanning every entry.
            models.Index(
                fields=["task"],
                name="timeline_reopen_assign_idx",
                condition=Q(action__in=["incident.reopen", "incident.assigned"]),
            ),
        ]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.action} on {self.task_id}"


class TaskLink(models.Model):
    """A typed link between two tasks, read as `source <kind> target`."""

    source = models.ForeignKey("core.Task", on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey("core.Task", on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="tasklink_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="tasklink_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored under a random name: the user's file name is never a path on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{instance.task_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file on a task; served only through a view that checks the task's visibility."""

    task = models.ForeignKey("core.Task", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    is_public = models.BooleanField(default=True, help_text="Visible to the requester.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename
