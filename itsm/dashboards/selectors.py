"""Service desk overview figures: one function per figure, each one aggregate query in the database.

Every selector takes a `Scope` (who asks, which period, team, service and priority) so the page,
its CSV export and the drill-down link all count the same records. Only platform models are used:
incidents are core Tasks of kind "incident"; itsm/* never imports a practice app.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task

#: Backlog ageing buckets: (label, lower bound in days, upper bound in days or None).
AGE_BUCKETS: list[tuple[str, int, int | None]] = [
    ("Under 1 day", 0, 1),
    ("1–3 days", 1, 3),
    ("3–7 days", 3, 7),
    ("7–30 days", 7, 30),
    ("Over 30 days", 30, None),
]


@dataclass(frozen=True)
class Scope:
    """The filters a manager chose: a half-open period [start, end) plus optional team/service/priority."""

    user: object
    start: datetime
    end: datetime
    teams: tuple[int, ...] = field(default_factory=tuple)
    service: int | None = None
    priority: int | None = None

    def filters(self) -> dict:
        """The same filters as workspace query parameters, for drill-down links."""
        params: dict = {"kind": TaskKind.INCIDENT}
        if len(self.teams) == 1:
            params["assignment_group"] = self.teams[0]
        if self.service:
            params["service"] = self.service
        if self.priority:
            params["priority"] = self.priority
        return params


def incidents(scope: Scope) -> QuerySet[Task]:
    """The incidents the user may see, narrowed to the scope's team, service and priority (not the period)."""
    queryset = Task.objects.visible_to(scope.user).filter(kind=TaskKind.INCIDENT)
    if scope.teams:
        queryset = queryset.filter(assignment_group_id__in=scope.teams)
    if scope.service:
        queryset = queryset.filter(service_id=scope.service)
    if scope.priority:
        queryset = queryset.filter(priority=scope.priority)
    return queryset


def backlog_by_priority(scope: Scope) -> dict[int, int]:
    """Open incidents now, per priority (every priority present, zero included)."""
    counts = dict(
        incidents(scope)
        .filter(state_category__in=StateCategory.active())
        .values_list("priority")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {value: counts.get(value, 0) for value in Priority.values}


def backlog_by_group(scope: Scope, limit: int = 10) -> list[tuple[int | None, str, int]]:
    """Open incidents now, per assignment group, largest first: (team id, name, count)."""
    rows = (
        incidents(scope)
        .filter(state_category__in=StateCategory.active())
        .values_list("assignment_group_id", "assignment_group__name")
        .annotate(total=Count("id"))
        .order_by("-total", "assignment_group__name")[:limit]
    )
    return [(team_id, name or "Not routed to a team", total) for team_id, name, total in rows]


def backlog_ageing(
    scope: Scope, now: datetime | None = None
) -> list[tuple[str, datetime | None, datetime | None, int]]:
    """Open incidents by age since opening: (label, opened after, opened before, count), one query."""
    now = now or timezone.now()
    bounds = []
    aggregates = {}
    for index, (label, low, high) in enumerate(AGE_BUCKETS):
        opened_before = now - timedelta(days=low)
        opened_after = now - timedelta(days=high) if high is not None else None
        condition = Q(opened_at__lt=opened_before)
        if opened_after is not None:
            condition &= Q(opened_at__gte=opened_after)
        aggregates[f"b{index}"] = Count("id", filter=condition)
        bounds.append((label, opened_after, opened_before))
    counts = incidents(scope).filter(state_category__in=StateCategory.active()).aggregate(**aggregates)
    return [(label, after, before, counts[f"b{i}"]) for i, (label, after, before) in enumerate(bounds)]


def incoming_vs_resolved(scope: Scope) -> list[tuple[object, int, int]]:
    """Incidents opened and resolved per day of the period (in the current time zone): (day, in, out).

    Two grouped queries; days without any record are filled with zeros so the chart has no gaps.
    """
    base = incidents(scope)
    tz = timezone.get_current_timezone()
    opened = dict(
        base.filter(opened_at__gte=scope.start, opened_at__lt=scope.end)
        .annotate(day=TruncDate("opened_at", tzinfo=tz))
        .values_list("day")
        .annotate(total=Count("id"))
        .order_by()
    )
    resolved = dict(
        base.filter(resolved_at__gte=scope.start, resolved_at__lt=scope.end)
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values_list("day")
        .annotate(total=Count("id"))
        .order_by()
    )
    first = timezone.localtime(scope.start, tz).date()
    last = timezone.localtime(scope.end - timedelta(microseconds=1), tz).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, opened.get(day, 0), resolved.get(day, 0)) for day in days]


def resolution_times(scope: Scope) -> dict[int, dict]:
    """Mean time to respond and to resolve per priority, for incidents resolved in the period.

    Cancelled incidents are left out: they were never resolved for the caller.
    """
    duration = DurationField()
    rows = (
        incidents(scope)
        .filter(resolved_at__gte=scope.start, resolved_at__lt=scope.end)
        .exclude(state_category=StateCategory.CANCELLED)
        .values("priority")
        .annotate(
            resolved=Count("id"),
            mean_resolve=Avg(ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=duration)),
            mean_respond=Avg(
                ExpressionWrapper(F("responded_at") - F("opened_at"), output_field=duration),
                filter=Q(responded_at__isnull=False),
            ),
        )
        .order_by("priority")
    )
    return {row["priority"]: row for row in rows}


def period_totals(scope: Scope) -> dict[str, int]:
    """Incidents opened and resolved in the period, and open now (one query)."""
    period_opened = Q(opened_at__gte=scope.start, opened_at__lt=scope.end)
    period_resolved = Q(resolved_at__gte=scope.start, resolved_at__lt=scope.end)
    return incidents(scope).aggregate(
        opened=Count("id", filter=period_opened),
        resolved=Count("id", filter=period_resolved),
        open_now=Count("id", filter=Q(state_category__in=StateCategory.active())),
    )
