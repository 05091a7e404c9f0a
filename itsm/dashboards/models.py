"""Daily rollups of the incident figures, so the overview reads a few thousand rows, not a million.

One row per local day (the service desk's TIME_ZONE) and dimension combination the overview
filters by. Team, service and definition are plain ids, not foreign keys: a rollup row is a
count, and deleting a team must neither cascade into history nor be blocked by it. Rows are
written only by `itsm.dashboards.rollups` (a full rebuild or the incremental Celery refresh).
"""

from django.db import models


class IncidentDay(models.Model):
    """Counts and sums for incidents opened or resolved on `day`, per team, service and priority.

    Opened-side columns count incidents by the day they were opened; resolved-side columns by
    the day of their (latest) resolution. Durations are summed in seconds so a period's mean is
    one sum divided by one count.
    """

    day = models.DateField()
    team_id = models.BigIntegerField(null=True)
    service_id = models.BigIntegerField(null=True)
    priority = models.PositiveSmallIntegerField()
    opened = models.PositiveIntegerField(default=0)
    major_opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0, help_text="Every incident resolved that day.")
    timed = models.PositiveIntegerField(default=0, help_text="Resolved and not cancelled: the base of rates.")
    resolve_seconds = models.FloatField(default=0)
    responded = models.PositiveIntegerField(default=0)
    respond_seconds = models.FloatField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    first_contact = models.PositiveIntegerField(default=0)
    csat_count = models.PositiveIntegerField(default=0)
    csat_sum = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="dash_incident_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} service {self.service_id} P{self.priority}"


class SLADay(models.Model):
    """Incident SLA clocks decided on `day` (met, or breached while open), per definition and dimension."""

    day = models.DateField()
    definition_id = models.BigIntegerField()
    target = models.CharField(max_length=20)
    team_id = models.BigIntegerField(null=True, help_text="The incident's assignment group.")
    service_id = models.BigIntegerField(null=True)
    priority = models.PositiveSmallIntegerField()
    met = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="dash_sla_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} definition {self.definition_id}"


class RollupState(models.Model):
    """One row: how fresh the rollups are. `refreshed_at` is the watermark of the last refresh."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    days_last_run = models.PositiveIntegerField(default=0)
    time_zone = models.CharField(max_length=64, blank=True, help_text="The zone the days were cut in.")

    def __str__(self) -> str:
        return f"Rollups refreshed at {self.refreshed_at}"
