"""Daily rollups of the incident figures: computed from the live tables, read by the overview.

`compute_incident_days` and `compute_sla_days` count straight from `core.Task`, the timeline
and the SLA clocks; the rollup tables store exactly what they return, so the overview's
historical figures equal a live computation by construction (tests/dashboards/test_rollups.py
checks it on a fixed data set). Days are local dates in the service desk's TIME_ZONE.

Freshness: `refresh()` (Celery beat, every `REFRESH_MINUTES`) recomputes today and every day
touched since the last run: the opened and resolved days of incidents updated since (including
the day a reopened incident had been resolved on, from its resolve history), the days SLA
clocks stopped or breached, and the days of newly rated resolutions. `rebuild()` (command
`rebuild_dashboard_rollups`) recomputes everything.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from itsm.core.choices import StateCategory, TaskKind
from itsm.core.models import Task, TimelineEntry
from itsm.dashboards.models import IncidentDay, RollupState, SLADay
from itsm.dashboards.providers import incident_facts, major_condition
from itsm.sla.choices import ClockStage
from itsm.sla.models import SLAClock
from itsm.sla.selectors import decided_in

#: How often Celery beat refreshes the rollups (shown on the page).
REFRESH_MINUTES = 5
#: Records updated shortly before the last run may have committed after it read: look back this far.
OVERLAP = timedelta(minutes=10)
#: Days computed per round of queries in a rebuild: bounds memory and statement time.
CHUNK_DAYS = 31

REOPEN_ACTION = "incident.reopen"
RESOLVE_ACTION = "incident.resolve"
ASSIGN_ACTION = "incident.assigned"
DIMENSIONS = ("assignment_group_id", "service_id", "priority")
COUNTERS = (
    "opened",
    "major_opened",
    "resolved",
    "timed",
    "resolve_seconds",
    "responded",
    "respond_seconds",
    "reopened",
    "first_contact",
    "csat_count",
    "csat_sum",
)


def zone() -> ZoneInfo:
    """Rollup days are cut in the service desk's zone, whatever zone a viewer has chosen."""
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in the rollup zone (DST-correct wall-clock midnights)."""
    tz = zone()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(
        last + timedelta(days=1), time.min, tzinfo=tz
    )


def not_cancelled() -> Q:
    return ~Q(state_category=StateCategory.CANCELLED)


def reopened() -> Exists:
    """The incident was reopened at least once (a reopen entry in its timeline)."""
    return Exists(TimelineEntry.objects.filter(task_id=OuterRef("pk"), action=REOPEN_ACTION))


def reassigned() -> Exists:
    """The incident moved from one team to another (an assignment entry whose old team was set)."""
    return Exists(
        TimelineEntry.objects.filter(
            task_id=OuterRef("pk"), action=ASSIGN_ACTION, changes__has_key="assignment_group"
        ).exclude(changes__assignment_group__old=None)
    )


def first_contact() -> Q:
    """First-contact resolution: resolved, not cancelled, never reopened and never passed to another team."""
    return not_cancelled() & ~Q(reopened()) & ~Q(reassigned())


def _since_opened(field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) - F("opened_at"), output_field=DurationField())


def _seconds(value) -> float:
    return value.total_seconds() if value is not None else 0.0


def compute_incident_days(first: date, last: date) -> dict[tuple, dict]:
    """Counters per (day, team, service, priority) for the days first..last, straight from the tables."""
    start, end = day_bounds(first, last)
    tz = zone()
    incidents = Task.objects.filter(kind=TaskKind.INCIDENT)
    rows: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    opened = (
        incidents.filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(day=TruncDate("opened_at", tzinfo=tz))
        .values("day", *DIMENSIONS)
        .annotate(opened=Count("pk"), major_opened=Count("pk", filter=major_condition()))
        .order_by()
    )
    for row in opened:
        counters = rows[_key(row)]
        counters["opened"] = row["opened"]
        counters["major_opened"] = row["major_opened"]
    timed = not_cancelled()
    answered = timed & Q(responded_at__isnull=False)
    resolved = (
        incidents.filter(resolved_at__gte=start, resolved_at__lt=end)
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values("day", *DIMENSIONS)
        .annotate(
            resolved=Count("pk"),
            timed=Count("pk", filter=timed),
            resolve_time=Sum(_since_opened("resolved_at"), filter=timed),
            responded=Count("pk", filter=answered),
            respond_time=Sum(_since_opened("responded_at"), filter=answered),
            reopened=Count("pk", filter=timed & Q(reopened())),
            first_contact=Count("pk", filter=first_contact()),
        )
        .order_by()
    )
    for row in resolved:
        counters = rows[_key(row)]
        for name in ("resolved", "timed", "responded", "reopened", "first_contact"):
            counters[name] = row[name]
        counters["resolve_seconds"] = _seconds(row["resolve_time"])
        counters["respond_seconds"] = _seconds(row["respond_time"])
    for key, score in _ratings(start, end):
        rows[key]["csat_count"] += 1
        rows[key]["csat_sum"] += score
    return dict(rows)


def _key(row: dict) -> tuple:
    return (row["day"], row["assignment_group_id"], row["service_id"], row["priority"])


def _ratings(start: datetime, end: datetime) -> Iterator[tuple[tuple, int]]:
    """(rollup key, score) per rating of a resolution in [start, end), on the rated incident's dimensions."""
    facts = incident_facts()
    if facts is None:
        return
    tz = zone()
    ratings = list(
        facts.ratings()
        .filter(resolved_at__gte=start, resolved_at__lt=end)
        .values_list("task_id", "resolved_at", "score")
    )
    if not ratings:
        return
    dims = {
        pk: rest
        for pk, *rest in Task.objects.filter(pk__in={task_id for task_id, _, _ in ratings}).values_list(
            "pk", *DIMENSIONS
        )
    }
    for task_id, resolved_at, score in ratings:
        if task_id in dims:
            yield (timezone.localtime(resolved_at, tz).date(), *dims[task_id]), score


def compute_sla_days(first: date, last: date) -> dict[tuple, dict]:
    """Incident SLA clocks decided per (day, definition, target, team, service, priority): met and breached.

    A clock is decided on the day it stopped (met, in time or late) or, while still open, the
    day it breached (`itsm.sla.selectors.decided_in`); cancelled clocks never count. The team
    is the incident's assignment group, the same team the overview's filter selects.
    """
    start, end = day_bounds(first, last)
    decided_at = Case(
        When(stage=ClockStage.MET, then=F("stopped_at")),
        default=F("breached_at"),
        output_field=DateTimeField(),
    )
    rows = (
        decided_in(start, end, SLAClock.objects.filter(task__kind=TaskKind.INCIDENT))
        .annotate(day=TruncDate(decided_at, tzinfo=zone()))
        .values(
            "day",
            "definition_id",
            "target",
            "task__assignment_group_id",
            "task__service_id",
            "task__priority",
        )
        .annotate(
            met=Count("pk", filter=Q(breached_at__isnull=True)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
        )
        .order_by()
    )
    return {
        (
            row["day"],
            row["definition_id"],
            row["target"],
            row["task__assignment_group_id"],
            row["task__service_id"],
            row["task__priority"],
        ): {"met": row["met"], "breached": row["breached"]}
        for row in rows
    }


def _replace(first: date, last: date) -> None:
    """Recompute days first..last: delete their rows, insert fresh ones (inside the caller's transaction)."""
    incident_rows = compute_incident_days(first, last)
    sla_rows = compute_sla_days(first, last)
    IncidentDay.objects.filter(day__gte=first, day__lte=last).delete()
    SLADay.objects.filter(day__gte=first, day__lte=last).delete()
    IncidentDay.objects.bulk_create(
        [
            IncidentDay(day=day, team_id=team, service_id=service, priority=priority, **counters)
            for (day, team, service, priority), counters in incident_rows.items()
        ],
        batch_size=2000,
    )
    SLADay.objects.bulk_create(
        [
            SLADay(
                day=day,
                definition_id=definition,
                target=target,
                team_id=team,
                service_id=service,
                priority=priority,
                **counters,
            )
            for (day, definition, target, team, service, priority), counters in sla_rows.items()
        ],
        batch_size=2000,
    )


def ranges(days: Iterable[date], longest: int = CHUNK_DAYS) -> Iterator[tuple[date, date]]:
    """Consecutive days as (first, last) ranges of at most `longest` days."""
    first = last = None
    for day in sorted(set(days)):
        if first is not None and day == last + timedelta(days=1) and (day - first).days < longest:
            last = day
            continue
        if first is not None:
            yield first, last
        first = last = day
    if first is not None:
        yield first, last


def _state() -> RollupState:
    state = RollupState.objects.select_for_update().order_by("pk").first()
    return state or RollupState.objects.create()


def rebuild(now: datetime | None = None) -> int:
    """Recompute every day from the first incident to today; returns the number of days."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state()
        IncidentDay.objects.all().delete()
        SLADay.objects.all().delete()
        first_opened = Task.objects.filter(kind=TaskKind.INCIDENT).aggregate(first=Min("opened_at"))["first"]
        today = timezone.localtime(now, zone()).date()
        first = timezone.localtime(first_opened, zone()).date() if first_opened else today
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        for low, high in ranges(days):
            _replace(low, high)
        state.refreshed_at = state.rebuilt_at = now
        state.days_last_run = len(days)
        state.time_zone = settings.TIME_ZONE
        state.save()
    return len(days)


def refresh(now: datetime | None = None) -> int:
    """Recompute today and the days touched since the last run (a full rebuild the first time)."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state()
        if state.refreshed_at is None or state.time_zone != settings.TIME_ZONE:
            return rebuild(now)
        days = touched_days(state.refreshed_at - OVERLAP, now)
        for low, high in ranges(days):
            _replace(low, high)
        state.refreshed_at = now
        state.days_last_run = len(days)
        state.save()
    return len(days)


def _dates(queryset: QuerySet, field: str) -> set[date]:
    return set(
        queryset.filter(**{f"{field}__isnull": False})
        .annotate(local_day=TruncDate(field, tzinfo=zone()))
        .values_list("local_day", flat=True)
        .distinct()
        .order_by()
    )


def touched_days(since: datetime, now: datetime) -> set[date]:
    """Today, plus every day whose figures may have changed since `since`."""
    updated = Task.objects.filter(kind=TaskKind.INCIDENT, updated_at__gte=since)
    # The records changed in one refresh interval: a short list, read once (an id list keeps the
    # timeline and clock lookups on their task indexes).
    updated_ids = list(updated.values_list("pk", flat=True))
    days = {timezone.localtime(now, zone()).date()}
    days |= _dates(updated, "opened_at") | _dates(updated, "resolved_at")
    # A reopen clears resolved_at: the day it had been resolved on is in its resolve history.
    days |= _dates(TimelineEntry.objects.filter(task_id__in=updated_ids, action=RESOLVE_ACTION), "created_at")
    clocks = SLAClock.objects.filter(task__kind=TaskKind.INCIDENT)
    for moved in (
        clocks.filter(task_id__in=updated_ids),
        clocks.filter(stopped_at__gte=since),
        clocks.filter(breached_at__gte=since),
    ):
        days |= _dates(moved, "stopped_at") | _dates(moved, "breached_at")
    facts = incident_facts()
    if facts is not None:
        days |= _dates(facts.ratings().filter(created_at__gte=since), "resolved_at")
    return days


def freshness() -> RollupState | None:
    return RollupState.objects.order_by("pk").first()
