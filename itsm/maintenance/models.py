"""Blackout and maintenance windows."""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from itsm.maintenance import recurrence
from itsm.maintenance.choices import Frequency, MonthlyBy, WindowKind
from itsm.maintenance.querysets import WindowQuerySet

#: The longest single occurrence: a week. Longer freezes are a weekly or daily rule.
MAX_DURATION_MINUTES = 7 * 24 * 60


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"Unknown time zone {value!r} (use an IANA name like Europe/Berlin).") from None


class MaintenanceWindow(models.Model):
    """A recurring period, in wall-clock time of a zone, when changes are forbidden
    (blackout) or expected (maintenance), for everything or for some services and CIs.

    A window scoped to a service also covers the CIs that deliver that service (the change
    practice resolves that when it asks). `rule()` gives the pure recurrence rule;
    `itsm.maintenance.services` expands it.
    """

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=WindowKind.choices, db_index=True)
    description = models.TextField(blank=True, help_text="Why: shown to whoever plans into the window.")
    is_active = models.BooleanField("active", default=True)
    applies_to_all = models.BooleanField(
        "applies to everything", default=False, help_text="Otherwise only to the services and CIs chosen."
    )
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="maintenance_windows")
    configuration_items = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="maintenance_windows"
    )

    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    starts_on = models.DateField("first date")
    start_time = models.TimeField(help_text="Local wall-clock time in the window's time zone.")
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ONCE)
    interval = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    weekdays = models.JSONField(default=list, blank=True, help_text="Weekly rules: 0 (Monday) to 6 (Sunday).")
    monthly_by = models.CharField(max_length=20, choices=MonthlyBy.choices, default=MonthlyBy.DAY)
    until = models.DateField("last date", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WindowQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "starts_on", "until"], name="mwindow_range_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("starts_on")),
                name="mwindow_until_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_colour(self) -> str:
        return WindowKind.colour(self.kind)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def rule(self) -> recurrence.Rule:
        return recurrence.Rule(
            zone=ZoneInfo(self.time_zone),
            starts_on=self.starts_on,
            start_time=self.start_time,
            duration=self.duration,
            frequency=recurrence.Frequency(self.frequency),
            interval=self.interval,
            weekdays=tuple(sorted(set(self.weekdays or ()))),
            monthly_by=recurrence.MonthlyBy(self.monthly_by),
            until=self.until,
        )

    def describe(self) -> str:
        return recurrence.describe(self.rule())

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.weekdays, list) or any(
            not isinstance(day, int) or isinstance(day, bool) for day in self.weekdays
        ):
            raise ValidationError({"weekdays": "A list of weekday numbers, 0 (Monday) to 6 (Sunday)."})
        if self.frequency != Frequency.WEEKLY:
            self.weekdays = []
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return  # the field validator reports it
        if None in (self.starts_on, self.start_time, self.duration_minutes):
            return
        try:
            self.rule()
        except recurrence.RecurrenceError as error:
            raise ValidationError(str(error)) from None
