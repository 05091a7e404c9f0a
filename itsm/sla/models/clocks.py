"""SLA clocks (one per task and definition), their history, and calendar re-computations."""

from datetime import timedelta

from django.db import models
from django.db.models import Q

from itsm.sla.choices import ClockStage, EventKind, RecomputeStatus, StopReason, Target
from itsm.sla.querysets import SLAClockQuerySet


class SLAClock(models.Model):
    """How much of a definition's target a task has used, and when its next event falls due.

    Time used is `elapsed` (business time banked before `running_since`) plus the business
    time since `running_since` while the clock runs. `next_event_at` is the instant of the
    next warning threshold or the breach; it is set only while the clock runs, so the sweep's
    range scan on its (partial) index sees due clocks and nothing else.
    """

    task = models.ForeignKey("core.Task", on_delete=models.CASCADE, related_name="sla_clocks")
    definition = models.ForeignKey("sla.SLADefinition", on_delete=models.PROTECT, related_name="clocks")
    target = models.CharField(max_length=20, choices=Target.choices)
    team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # mostly empty, never searched by; an index would only slow every update
        help_text="For an OLA: the group whose share this clock measures.",
    )
    stage = models.CharField(max_length=20, choices=ClockStage.choices, default=ClockStage.RUNNING)
    stop_reason = models.CharField(max_length=30, choices=StopReason.choices, blank=True, default="")

    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    elapsed = models.DurationField(default=timedelta(0), help_text="Business time used before running_since.")
    target_duration = models.DurationField()
    due_at = models.DateTimeField(null=True, blank=True, help_text="Empty while paused or stopped.")
    warned_percent = models.PositiveSmallIntegerField(default=0, help_text="Highest warning fired so far.")
    breached_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_event_at = models.DateTimeField(null=True, blank=True)

    objects = SLAClockQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = "SLA clock"
        indexes = [
            models.Index(
                fields=["next_event_at"],
                name="slaclock_next_event_idx",
                condition=Q(next_event_at__isnull=False),
            ),
            # Partial: running clocks have neither, so the updates that move them touch no entry here.
            models.Index(
                fields=["stopped_at"], name="slaclock_stopped_idx", condition=Q(stopped_at__isnull=False)
            ),
            models.Index(
                fields=["breached_at"], name="slaclock_breached_idx", condition=Q(breached_at__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "target"],
                condition=Q(stage__in=["running", "paused"]),
                name="slaclock_one_open_per_target",
            ),
            models.CheckConstraint(
                condition=Q(next_event_at__isnull=True) | Q(stage="running"),
                name="slaclock_events_only_while_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} on task {self.task_id}"

    @property
    def is_open(self) -> bool:
        return self.stage in ClockStage.open()

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None

    @property
    def stage_colour(self) -> str:
        return ClockStage.colour(self.stage)


class SLAEvent(models.Model):
    """One line of a clock's history. `at` is when it happened in SLA terms (the instant a
    threshold was crossed); `recorded_at` is when the system wrote it."""

    clock = models.ForeignKey(SLAClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["clock", "at", "pk"]
        verbose_name = "SLA event"
        indexes = [models.Index(fields=["clock", "at"], name="slaevent_clock_idx")]
        constraints = [
            # The last line of defence for exactly-once: a threshold or breach can be written once.
            models.UniqueConstraint(
                fields=["clock", "kind", "percent"],
                condition=Q(kind__in=["warning", "breached"]),
                name="slaevent_fires_once",
            )
        ]

    def __str__(self) -> str:
        suffix = f" {self.percent}%" if self.kind == EventKind.WARNING else ""
        return f"{self.get_kind_display()}{suffix} at {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def colour(self) -> str:
        return EventKind.colour(self.kind)


class ClockRecompute(models.Model):
    """A background re-computation of open clocks after a calendar or definition changed.

    Progress (`done` of `total`) is written after each batch, so the admin can show it; the
    job resumes after `last_clock_id` if it is run again.
    """

    calendar = models.ForeignKey(
        "sla.Calendar", null=True, blank=True, on_delete=models.CASCADE, related_name="recomputes"
    )
    definition = models.ForeignKey(
        "sla.SLADefinition", null=True, blank=True, on_delete=models.CASCADE, related_name="recomputes"
    )
    status = models.CharField(max_length=20, choices=RecomputeStatus.choices, default=RecomputeStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    last_clock_id = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(calendar__isnull=False) | Q(definition__isnull=False),
                name="slarecompute_has_scope",
            )
        ]

    def __str__(self) -> str:
        scope = self.calendar or self.definition
        return f"Re-computation for {scope}: {self.done}/{self.total} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if self.status == RecomputeStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
