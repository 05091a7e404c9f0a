"""Business filters for SLA configuration and clocks."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from itsm.core import roles
from itsm.sla.choices import ClockStage


class SLAConfigQuerySet(models.QuerySet):
    """Calendars and definitions: configuration that staff read and admins change."""

    def visible_to(self, user: User | AnonymousUser) -> "SLAConfigQuerySet":
        return self if roles.is_staff_member(user) else self.none()


class CalendarQuerySet(SLAConfigQuerySet):
    def with_rules(self) -> "CalendarQuerySet":
        """Windows and holidays in two extra queries for the whole list, so `to_engine()` needs none."""
        return self.prefetch_related("windows", "holidays")


class SLADefinitionQuerySet(SLAConfigQuerySet):
    def active(self) -> "SLADefinitionQuerySet":
        return self.filter(active=True)

    def for_matching(self) -> "SLADefinitionQuerySet":
        """Definitions with their calendars in precedence order, in one query.

        The calendars' rules come from the per-process engine cache (`Calendar.to_engine`).
        """
        return self.select_related("calendar").order_by("precedence", "pk")


class SLAClockQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "SLAClockQuerySet":
        """Clocks of the tasks the user may see: the task's visibility decides, nothing else."""
        from itsm.core.models import Task

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if roles.is_staff_member(user):
            return self
        return self.filter(task__in=Task.objects.visible_to(user).values("pk"))

    def open(self) -> "SLAClockQuerySet":
        return self.filter(stage__in=ClockStage.open())

    def due(self, cutoff: datetime) -> "SLAClockQuerySet":
        """Clocks with a warning or breach to fire: a range scan on the partial `next_event_at` index."""
        return self.filter(next_event_at__lte=cutoff)

    def breached(self) -> "SLAClockQuerySet":
        return self.filter(breached_at__isnull=False)

    def at_risk(self) -> "SLAClockQuerySet":
        """Open, past their first warning threshold, not yet breached."""
        return self.open().filter(warned_percent__gt=0, breached_at__isnull=True)
