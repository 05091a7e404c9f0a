"""The daily rollup behind the Requests board: computed from the live tables, read by `catalog.dashboard`.

Why: at 200,000 requested items the board's one live query joined every item row to a month or
three of tasks (p95 0.4–0.6 s at load 8); the rollup answers a period from a few thousand rows.

`compute_days` counts straight from the items and their approval plans with the very conditions
the live board uses (`catalog.dashboard`), so the rollup equals a live computation by
construction (tests/dashboards/test_practice_requests_knowledge.py checks it). Days are local
dates in the service desk's TIME_ZONE, cut like the overview's incident rollups
(`itsm.dashboards.rollups`), whose day helpers this reuses.

Freshness: `refresh()` (Celery beat, every `REFRESH_MINUTES`, task `catalog.refresh_request_rollups`)
recomputes today and every day touched since the last run: the opened and fulfilled days of items
updated since, and the decision days of their approvals and of approvals decided since.
`rebuild()` (command `rebuild_request_rollups`) recomputes everything. A changed delivery time
of a catalog item applies to days recomputed after the change; rebuild to apply it to history.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import RequestItem, RequestItemDay, RequestRollupState
from catalog.services.approvals import PURPOSE
from catalog.workflow import FULFILLED
from itsm.approvals.models import ApprovalPlan
from itsm.core.choices import TaskKind
from itsm.dashboards.rollups import OVERLAP, REFRESH_MINUTES, day_bounds, ranges, zone

__all__ = ["REFRESH_MINUTES", "compute_days", "freshness", "rebuild", "refresh", "touched_days"]

DIMENSIONS = ("catalog_item_id", "assignment_group_id", "service_id", "priority")
COUNTERS = ("requested", "fulfilled", "on_time", "fulfil_seconds", "decided", "approval_seconds")


def items() -> QuerySet:
    """Every requested item (no visibility: the board is for staff, who see every item)."""
    return RequestItem.objects.filter(kind=TaskKind.REQUEST_ITEM)


def on_time(item: str = "") -> Q:
    """Fulfilled within the catalog item's promised delivery time (shared with the live board and
    its drill-down, which reaches the item from the task through `item`, e.g. "requestitem__")."""
    return Q(resolved_at__lte=F("opened_at") + F(f"{item}catalog_item__delivery_time"))


def _seconds(value) -> float:
    return value.total_seconds() if value is not None else 0.0


def _duration(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def compute_days(first: date, last: date) -> dict[tuple, dict]:
    """Counters per (day, catalog item, team, service, priority) for days first..last, from the tables."""
    start, end = day_bounds(first, last)
    tz = zone()
    rows: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    opened = (
        items()
        .filter(opened_at__gte=start, opened_at__lt=end)
        .annotate(day=TruncDate("opened_at", tzinfo=tz))
        .values("day", *DIMENSIONS)
        .annotate(requested=Count("pk"))
        .order_by()
    )
    for row in opened:
        rows[_key(row, "")]["requested"] = row["requested"]
    fulfilled = (
        items()
        .filter(state=FULFILLED, resolved_at__gte=start, resolved_at__lt=end)
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values("day", *DIMENSIONS)
        .annotate(
            fulfilled=Count("pk"),
            on_time=Count("pk", filter=on_time()),
            fulfil_time=Sum(_duration("resolved_at", "opened_at")),
        )
        .order_by()
    )
    for row in fulfilled:
        counters = rows[_key(row, "")]
        counters["fulfilled"] = row["fulfilled"]
        counters["on_time"] = row["on_time"]
        counters["fulfil_seconds"] = _seconds(row["fulfil_time"])
    decided = (
        ApprovalPlan.objects.filter(
            purpose=PURPOSE, decided_at__gte=start, decided_at__lt=end, subject__kind=TaskKind.REQUEST_ITEM
        )
        .annotate(day=TruncDate("decided_at", tzinfo=tz))
        .values(
            "day",
            "subject__requestitem__catalog_item_id",
            "subject__assignment_group_id",
            "subject__service_id",
            "subject__priority",
        )
        .annotate(decided=Count("pk"), approval_time=Sum(_duration("decided_at", "created_at")))
        .order_by()
    )
    for row in decided:
        counters = rows[_key(row, "subject__", item="subject__requestitem__catalog_item_id")]
        counters["decided"] = row["decided"]
        counters["approval_seconds"] = _seconds(row["approval_time"])
    return dict(rows)


def _key(row: dict, prefix: str, item: str = "catalog_item_id") -> tuple:
    return (
        row["day"],
        row[item],
        row[f"{prefix}assignment_group_id"],
        row[f"{prefix}service_id"],
        row[f"{prefix}priority"],
    )


def _replace(first: date, last: date) -> None:
    """Recompute days first..last: delete their rows, insert fresh ones (inside the caller's transaction)."""
    fresh = compute_days(first, last)
    RequestItemDay.objects.filter(day__gte=first, day__lte=last).delete()
    RequestItemDay.objects.bulk_create(
        [
            RequestItemDay(
                day=day, catalog_item_id=item, team_id=team, service_id=service, priority=priority, **counters
            )
            for (day, item, team, service, priority), counters in fresh.items()
        ],
        batch_size=2000,
    )


def _state() -> RequestRollupState:
    state = RequestRollupState.objects.select_for_update().order_by("pk").first()
    return state or RequestRollupState.objects.create()


def rebuild(now: datetime | None = None) -> int:
    """Recompute every day from the first requested item to today; returns the number of days."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state()
        RequestItemDay.objects.all().delete()
        first_opened = items().aggregate(first=Min("opened_at"))["first"]
        today = timezone.localtime(now, zone()).date()
        first = min(timezone.localtime(first_opened, zone()).date(), today) if first_opened else today
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
    """Today, plus every day whose figures may have changed since `since`.

    An item updated since (fulfilled, cancelled, reassigned to another team…) moves its opened
    and fulfilled days and the decision days of its approvals; a decision made since moves its day.
    """
    updated_ids = list(items().filter(updated_at__gte=since).values_list("pk", flat=True))
    days = {timezone.localtime(now, zone()).date()}
    updated = items().filter(pk__in=updated_ids)
    days |= _dates(updated, "opened_at") | _dates(updated, "resolved_at")
    plans = ApprovalPlan.objects.filter(purpose=PURPOSE)
    days |= _dates(plans.filter(subject_id__in=updated_ids), "decided_at")
    days |= _dates(plans.filter(decided_at__gte=since), "decided_at")
    return days


def freshness() -> RequestRollupState | None:
    return RequestRollupState.objects.order_by("pk").first()
