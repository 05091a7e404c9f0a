"""Service desk overview figures: one function per figure, each one aggregate query in the database.

Every selector takes a `Scope` (who asks, which period, team, service and priority) so the page,
its CSV export and the drill-down link all count the same records. Only platform models are used:
incidents are core Tasks of kind "incident"; itsm/* never imports a practice app.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task
from itsm.dashboards import rollups
from itsm.dashboards.models import IncidentDay, SLADay
from itsm.dashboards.providers import major_condition
from itsm.sla.choices import Target
from itsm.sla.models import SLAClock

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


# --- Period figures from the daily rollups ---------------------------------------------------
#
# The rollups hold no visibility: the overview is for managers (who see every incident) and team
# leads (staff, who see every incident; the scope narrows them to their teams).

#: Periods longer than this are drawn per week (Monday to Sunday) instead of per day.
WEEKLY_AFTER_DAYS = 31
TOP = 5


def period_days(scope: Scope) -> tuple[date, date]:
    """The first and last local day (rollup zone) of the scope's half-open period."""
    tz = rollups.zone()
    first = timezone.localtime(scope.start, tz).date()
    last = timezone.localtime(scope.end - timedelta(microseconds=1), tz).date()
    return first, last


def _rollup_rows(model, scope: Scope):
    first, last = period_days(scope)
    rows = model.objects.filter(day__gte=first, day__lte=last)
    if scope.teams:
        rows = rows.filter(team_id__in=scope.teams)
    if scope.service:
        rows = rows.filter(service_id=scope.service)
    if scope.priority:
        rows = rows.filter(priority=scope.priority)
    return rows


def period_figures(scope: Scope) -> dict:
    """Every period figure of the overview from one grouped query over the incident rollups.

    Returns `flow` [(day or week start, opened, resolved)], `weekly`, `totals`, `times` per
    priority (counts and mean durations), `rates` (reopen, first contact, CSAT, major) and
    `services` (top services by incidents opened: (id, count)).
    """
    sums = {name: Sum(name) for name in rollups.COUNTERS}
    rows = list(
        _rollup_rows(IncidentDay, scope).values("day", "priority", "service_id").annotate(**sums).order_by()
    )
    first, last = period_days(scope)
    weekly = (last - first).days + 1 > WEEKLY_AFTER_DAYS
    bucket = (lambda day: day - timedelta(days=day.weekday())) if weekly else (lambda day: day)
    flow: dict[date, list[int]] = {}
    day = first
    while day <= last:
        flow.setdefault(bucket(day), [0, 0])
        day += timedelta(days=1)
    totals = dict.fromkeys(rollups.COUNTERS, 0)
    times: dict[int, dict] = {}
    services: dict[int | None, int] = {}
    for row in rows:
        pair = flow[bucket(row["day"])]
        pair[0] += row["opened"]
        pair[1] += row["resolved"]
        for name in rollups.COUNTERS:
            totals[name] += row[name]
        per = times.setdefault(row["priority"], dict.fromkeys(rollups.COUNTERS, 0))
        for name in ("timed", "resolve_seconds", "responded", "respond_seconds"):
            per[name] += row[name]
        services[row["service_id"]] = services.get(row["service_id"], 0) + row["opened"]
    return {
        "flow": [(key, opened, resolved) for key, (opened, resolved) in sorted(flow.items())],
        "weekly": weekly,
        "totals": {"opened": totals["opened"], "resolved": totals["resolved"]},
        "times": {
            priority: {
                "resolved": per["timed"],
                "mean_resolve": _mean(per["resolve_seconds"], per["timed"]),
                "mean_respond": _mean(per["respond_seconds"], per["responded"]),
            }
            for priority, per in sorted(times.items())
            if per["timed"]
        },
        "rates": {
            "resolved": totals["timed"],
            "reopened": totals["reopened"],
            "reopen_rate": _percent(totals["reopened"], totals["timed"]),
            "first_contact": totals["first_contact"],
            "first_contact_rate": _percent(totals["first_contact"], totals["timed"]),
            "csat_count": totals["csat_count"],
            "csat_average": round(totals["csat_sum"] / totals["csat_count"], 2)
            if totals["csat_count"]
            else None,
            "major_opened": totals["major_opened"],
        },
        "services": sorted(
            ((pk, count) for pk, count in services.items() if pk is not None and count),
            key=lambda item: (-item[1], item[0]),
        )[:TOP],
    }


def _mean(seconds: float, count: int) -> timedelta | None:
    return timedelta(seconds=round(seconds / count)) if count else None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


SLA_DIMENSIONS = ("definition_id", "team_id", "service_id", "priority")


def sla_compliance(scope: Scope) -> dict[str, dict]:
    """Response and resolution compliance per definition, team, service and priority (one rollup query).

    `{dimension: {key: {"response": [met, breached], "resolution": [met, breached]}}}`; only
    response and resolution targets count (OLA clocks measure a team's share, not the service).
    """
    rows = (
        _rollup_rows(SLADay, scope)
        .filter(target__in=[Target.RESPONSE, Target.RESOLUTION])
        .values("target", *SLA_DIMENSIONS)
        .annotate(met=Sum("met"), breached=Sum("breached"))
        .order_by()
    )
    result: dict[str, dict] = {name: {} for name in SLA_DIMENSIONS}
    for row in rows:
        for name in SLA_DIMENSIONS:
            cell = result[name].setdefault(row[name], {Target.RESPONSE: [0, 0], Target.RESOLUTION: [0, 0]})
            cell[row["target"]][0] += row["met"]
            cell[row["target"]][1] += row["breached"]
    return result


# --- "Now" figures, live ------------------------------------------------------------------


def now_figures(scope: Scope) -> dict[str, int]:
    """Open incidents with a breached SLA, at risk (past a warning, not breached), and open majors: one query.

    The same conditions as the incident queues "SLA breached" and "SLA at risk".
    """
    breached = SLAClock.objects.open().breached().values("task_id")
    at_risk = SLAClock.objects.at_risk().values("task_id")
    return (
        incidents(scope)
        .filter(state_category__in=StateCategory.active())
        .aggregate(
            breached=Count("pk", filter=Q(pk__in=breached)),
            at_risk=Count("pk", filter=Q(pk__in=at_risk)),
            major_open=Count("pk", filter=major_condition()),
        )
    )


#: Medians are sorted live (they cannot be added up from daily rows); longer periods show none.
MEDIAN_MAX_DAYS = 31


class _Median(Aggregate):
    """PostgreSQL: median of a duration in seconds (PERCENTILE_CONT interpolates like `statistics.median`)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def median_times(scope: Scope) -> dict[int, dict[str, timedelta | None]]:
    """Median time to respond and to resolve per priority, incidents resolved in the period (not cancelled).

    Live: a median cannot be added up from daily rows. On PostgreSQL one grouped query that reads
    only the covering (kind, resolved_at) index and sorts in memory; elsewhere the durations are
    read and sorted here. Periods longer than MEDIAN_MAX_DAYS get none (the sort grows with the
    period: ~0.6 s for a year at 1,000,000 incidents); the page says so.
    """
    if (scope.end - scope.start).days > MEDIAN_MAX_DAYS:
        return {}
    resolved = (
        incidents(scope)
        .filter(resolved_at__gte=scope.start, resolved_at__lt=scope.end)
        .exclude(state_category=StateCategory.CANCELLED)
    )
    duration = DurationField()
    to_resolve = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=duration)
    to_respond = ExpressionWrapper(F("responded_at") - F("opened_at"), output_field=duration)
    if connection.vendor == "postgresql":
        rows = resolved.values("priority").annotate(respond=_Median(to_respond), resolve=_Median(to_resolve))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")  # sort in memory, not in temporary files
            return {
                row["priority"]: {"respond": _delta(row["respond"]), "resolve": _delta(row["resolve"])}
                for row in rows.order_by("priority")
            }
    durations: dict[int, tuple[list, list]] = {}
    for priority, opened, responded, resolved_at in resolved.values_list(
        "priority", "opened_at", "responded_at", "resolved_at"
    ).order_by():
        respond, resolve = durations.setdefault(priority, ([], []))
        resolve.append((resolved_at - opened).total_seconds())
        if responded is not None:
            respond.append((responded - opened).total_seconds())
    return {
        priority: {
            "respond": _delta(statistics.median(respond) if respond else None),
            "resolve": _delta(statistics.median(resolve)),
        }
        for priority, (respond, resolve) in sorted(durations.items())
    }


def _delta(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=round(seconds))


def top_cis(scope: Scope) -> list[tuple[int, int]]:
    """The configuration items named by the most incidents opened in the period: (id, count), live.

    CIs are not a rollup dimension (it would multiply the rollup rows by the CI count); the
    covering (kind, opened_at) index makes this an index-only scan on PostgreSQL.
    """
    rows = (
        incidents(scope)
        .filter(opened_at__gte=scope.start, opened_at__lt=scope.end, configuration_item__isnull=False)
        .values_list("configuration_item_id")
        .annotate(total=Count("*"))  # COUNT(*): the covering index has no id, and needs none
        .order_by("-total", "configuration_item_id")[:TOP]
    )
    return list(rows)


# --- The open backlog in one pass -----------------------------------------------------------


def open_summary(scope: Scope, now: datetime | None = None) -> dict:
    """Every open-incident figure of the overview from one grouped scan of the open-task index.

    The same numbers as `backlog_by_priority`, `backlog_by_group` (ids only), `backlog_ageing`
    and `now_figures` (tested against them), in one query instead of four.
    """
    now = now or timezone.now()
    aggregates = {}
    for index, (_label, low, high) in enumerate(AGE_BUCKETS):
        condition = Q(opened_at__lt=now - timedelta(days=low))
        if high is not None:
            condition &= Q(opened_at__gte=now - timedelta(days=high))
        aggregates[f"age{index}"] = Count("pk", filter=condition)
    rows = (
        incidents(scope)
        .filter(state_category__in=StateCategory.active())
        .values("priority", "assignment_group_id")
        .annotate(
            total=Count("pk"),
            breached=Count("pk", filter=Q(pk__in=SLAClock.objects.open().breached().values("task_id"))),
            at_risk=Count("pk", filter=Q(pk__in=SLAClock.objects.at_risk().values("task_id"))),
            major_open=Count("pk", filter=major_condition()),
            **aggregates,
        )
        .order_by()
    )
    by_priority = dict.fromkeys(Priority.values, 0)
    by_group: dict[int | None, int] = {}
    ageing = [0] * len(AGE_BUCKETS)
    now_counts = {"breached": 0, "at_risk": 0, "major_open": 0}
    for row in rows:
        by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + row["total"]
        by_group[row["assignment_group_id"]] = by_group.get(row["assignment_group_id"], 0) + row["total"]
        for index in range(len(AGE_BUCKETS)):
            ageing[index] += row[f"age{index}"]
        for name in now_counts:
            now_counts[name] += row[name]
    buckets = []
    for index, (label, low, high) in enumerate(AGE_BUCKETS):
        after = now - timedelta(days=high) if high is not None else None
        buckets.append((label, after, now - timedelta(days=low), ageing[index]))
    return {"by_priority": by_priority, "by_group": by_group, "ageing": buckets, "now": now_counts}


def backlog_summary(backlog: QuerySet[Task]) -> dict:
    """The all-kinds open backlog tiles and bars (totals, by priority, kind and team) in one grouped query."""
    rows = (
        backlog.values("kind", "priority", "assignment_group_id")
        .annotate(
            total=Count("pk"),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            pending=Count("pk", filter=Q(state_category=StateCategory.PENDING)),
        )
        .order_by()
    )
    totals = {"open_total": 0, "unassigned": 0, "urgent": 0, "pending": 0}
    by_priority: dict[int, int] = {}
    by_kind: dict[str, int] = {}
    by_team: dict[int | None, int] = {}
    for row in rows:
        totals["open_total"] += row["total"]
        totals["unassigned"] += row["unassigned"]
        totals["pending"] += row["pending"]
        if row["priority"] <= Priority.HIGH:
            totals["urgent"] += row["total"]
        by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + row["total"]
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["total"]
        by_team[row["assignment_group_id"]] = by_team.get(row["assignment_group_id"], 0) + row["total"]
    return {"totals": totals, "by_priority": by_priority, "by_kind": by_kind, "by_team": by_team}
