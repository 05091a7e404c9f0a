"""The service request dashboard, registered with `itsm.dashboards.registry`.

Counted on requested items (RITM: one per catalog item ordered), since approvals, fulfilment
and delivery promises belong to items, not to the basket they were ordered in.
- *requested*: items opened in the period (cancelled ones included: they were asked for);
- *fulfilled*: items that reached “fulfilled” in the period (cancelled and rejected never do);
- *fulfilment time*: opening to fulfilment, for items fulfilled in the period;
- *approval time*: from asking to the decision, for approval plans decided in the period;
- *delivery SLA*: fulfilled within the catalog item's promised delivery time (`delivery_time`),
  over all fulfilled in the period.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from catalog import rollups
from catalog.models import CatalogItem, RequestItem, RequestItemDay
from catalog.services.approvals import PURPOSE
from catalog.workflow import FULFILLED, ITEM_WORKFLOW
from itsm.approvals.models import ApprovalPlan
from itsm.core import roles
from itsm.core.choices import TaskKind
from itsm.core.models import Task
from itsm.dashboards import registry

TOP = 10
COLUMNS = (
    ("Number", "number"),
    ("Title", "title"),
    ("Catalog item", "requestitem__catalog_item__name"),
    ("State", "state"),
    ("Team", "assignment_group__name"),
    ("Opened", "opened_at"),
    ("Fulfilled", "resolved_at"),
)


def _items(scope):
    # The kind filter lets PostgreSQL start from the task kind index instead of every task row.
    return registry.narrow(
        RequestItem.objects.visible_to(scope.user).filter(kind=TaskKind.REQUEST_ITEM), scope
    )


def _on_time(item: str = "") -> Q:
    return rollups.on_time(item)


def _decided_plans(scope):
    return ApprovalPlan.objects.filter(
        subject_id=OuterRef("pk"), purpose=PURPOSE, **registry.in_period("decided_at", scope)
    )


def _segment(scope, segment: str, arg: str, item: str = "") -> tuple[str, Q] | None:
    """The title and condition of a figure's records; `item` is the path from the queried model to
    the requested item ("" on items, "requestitem__" on tasks)."""
    opened = Q(**registry.in_period("opened_at", scope))
    fulfilled = Q(state=FULFILLED, **registry.in_period("resolved_at", scope))
    simple = {
        "opened": ("Items requested in the period", opened),
        "fulfilled": ("Items fulfilled in the period", fulfilled),
        "on_time": ("Items fulfilled within the promised delivery time", fulfilled & _on_time(item)),
        "late": ("Items fulfilled after the promised delivery time", fulfilled & ~_on_time(item)),
        "approved": ("Items whose approval was decided in the period", Q(approval_decided=True)),
    }
    if segment in simple and not arg:
        return simple[segment]
    if segment == "item" and arg.isdigit():
        one_item = Q(**{f"{item}catalog_item_id": int(arg)})
        return "Items requested in the period for one catalog item", opened & one_item
    return None


def _condition(scope, segment: str) -> Q:
    return _segment(scope, segment, "")[1]


def _task_records(scope):
    """The drill-down's records as tasks of kind request_item, the item's columns reached through
    `requestitem__`: those joins are LEFT joins PostgreSQL drops when counting, so the page count
    reads the task index alone instead of joining all 200,000 item rows (docs/performance.md)."""
    tasks = Task.objects.visible_to(scope.user).filter(kind=TaskKind.REQUEST_ITEM)
    return registry.narrow(tasks, scope).annotate(approval_decided=Exists(_decided_plans(scope)))


@dataclass(frozen=True)
class Counts:
    """The board's numbers, from the rollup or live: one row per catalog item, plus the approvals."""

    groups: list[dict]  # catalog_item_id, name, requested, fulfilled, on_time, fulfil_seconds
    decided: int
    approval_seconds: float
    freshness: str


def _live(scope, *, items: bool = True, approvals: bool = True) -> Counts:
    """Straight from the items: for any period, any viewer, and before the rollup is first built.
    `items`/`approvals` False skips that query (its figures then read zero)."""
    groups, plans = [], {"decided": 0, "time": None}
    if items:
        groups = _live_groups(scope)
    if approvals:
        plans = ApprovalPlan.objects.filter(
            purpose=PURPOSE, subject__in=_items(scope).values("pk"), **registry.in_period("decided_at", scope)
        ).aggregate(decided=Count("pk"), time=Sum(_since("decided_at", "created_at")))
    return Counts(
        groups,
        plans["decided"],
        plans["time"].total_seconds() if plans["time"] else 0.0,
        "Figures computed live.",
    )


def _live_groups(scope) -> list[dict]:
    items = _items(scope)
    fulfilled = _condition(scope, "fulfilled")
    # One grouped query per catalog item gives the table and, summed, the totals (the catalog is
    # small: a few hundred items at most, so every group is fetched and the table keeps the top).
    groups = (
        items.filter(_condition(scope, "opened") | fulfilled)
        .values("catalog_item_id", "catalog_item__name")
        .annotate(
            requested=Count("pk", filter=_condition(scope, "opened")),
            fulfilled=Count("pk", filter=fulfilled),
            on_time=Count("pk", filter=_condition(scope, "on_time")),
            fulfil_time=Sum(_since("resolved_at", "opened_at"), filter=fulfilled),
        )
        .order_by()
    )
    return [
        {
            "catalog_item_id": row["catalog_item_id"],
            "name": row["catalog_item__name"],
            "requested": row["requested"],
            "fulfilled": row["fulfilled"],
            "on_time": row["on_time"],
            "fulfil_seconds": row["fulfil_time"].total_seconds() if row["fulfil_time"] else 0.0,
        }
        for row in groups
    ]


def _whole_days(scope) -> tuple[date, date] | None:
    """The scope's first and last rollup day, or None when it does not start and end at midnight there."""
    tz = rollups.zone()
    start, end = timezone.localtime(scope.start, tz), timezone.localtime(scope.end, tz)
    if start.time() != time.min or end.time() != time.min or end <= start:
        return None
    return start.date(), end.date() - timedelta(days=1)


def _from_rollup(scope) -> Counts | None:
    """From the daily rollup when it can answer exactly: built in this zone, a period of whole
    days, and a viewer who sees every item (staff: managers and team leads; the rollup holds no
    visibility). None otherwise."""
    days = _whole_days(scope)
    if days is None or not roles.is_staff_member(scope.user):
        return None
    state = rollups.freshness()
    if state is None or state.refreshed_at is None or state.time_zone != settings.TIME_ZONE:
        return None
    rows = registry.narrow(
        RequestItemDay.objects.filter(day__gte=days[0], day__lte=days[1]), scope, team="team_id"
    )
    groups = list(
        rows.values("catalog_item_id").annotate(**{name: Sum(name) for name in rollups.COUNTERS}).order_by()
    )
    ids = [row["catalog_item_id"] for row in groups]
    names = dict(CatalogItem.objects.filter(pk__in=ids).values_list("pk", "name"))
    refreshed = timezone.localtime(state.refreshed_at).strftime("%-d %b %Y, %H:%M")
    return Counts(
        [
            {**row, "name": names.get(row["catalog_item_id"], f"Item {row['catalog_item_id']}")}
            for row in groups
            if row["requested"] or row["fulfilled"]
        ],
        sum(row["decided"] for row in groups),
        sum(row["approval_seconds"] for row in groups),
        f"Figures up to {refreshed}, refreshed every {rollups.REFRESH_MINUTES} min; "
        f"days in {rollups.zone().key}. The lists behind them are live.",
    )


def _since(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _mean(seconds: float, count: int) -> timedelta | None:
    return timedelta(seconds=seconds / count) if count else None


#: Figures computed from the approval plans alone; every other figure needs only the items.
FROM_APPROVALS = frozenset({"approval_time"})


def build(scope) -> registry.Board:
    found = _from_rollup(scope) or _live(scope)
    groups = sorted(found.groups, key=lambda row: (-row["requested"], row["name"]))
    by_item = [{**row, "mean": _mean(row["fulfil_seconds"], row["fulfilled"])} for row in groups[:TOP]]
    tables = [
        registry.Table(
            "volume_by_item",
            "Volume by catalog item",
            ("Catalog item", "Requested", "Fulfilled", "Mean hours to fulfil", "Delivered on time (%)"),
            [
                registry.Row(
                    row["name"],
                    (
                        row["requested"],
                        row["fulfilled"],
                        registry.hours(row["mean"]),
                        registry.percent(row["on_time"], row["fulfilled"]),
                    ),
                    "item",
                    str(row["catalog_item_id"]),
                )
                for row in by_item
            ],
            empty="Nothing was requested or fulfilled in the period.",
            bars=True,
            note=f"The {TOP} most requested items of the period.",
        ),
    ]
    return registry.Board(_figures(found), tables, freshness=found.freshness)


def metric(scope, key: str) -> float | None:
    """One figure's number for the improvement register's before/after chart: its periods are
    not whole days, so this is usually live, and runs only the query that figure needs."""
    found = _from_rollup(scope) or _live(
        scope, items=key not in FROM_APPROVALS, approvals=key in FROM_APPROVALS
    )
    figure = next((figure for figure in _figures(found) if figure.key == key), None)
    return figure.metric if figure else None


def _figures(found: Counts) -> list[registry.Figure]:
    totals = {name: sum(row[name] for row in found.groups) for name in ("requested", "fulfilled", "on_time")}
    totals["opened"] = totals["requested"]
    totals["mean_fulfil"] = _mean(sum(row["fulfil_seconds"] for row in found.groups), totals["fulfilled"])
    plans = {"decided": found.decided, "mean": _mean(found.approval_seconds, found.decided)}
    compliance = registry.percent(totals["on_time"], totals["fulfilled"])
    fulfil_hours = registry.hours(totals["mean_fulfil"])
    approval_hours = registry.hours(plans["mean"])
    return [
        registry.Figure(
            "requested",
            "Items requested",
            totals["opened"],
            "Ordered in the period",
            "opened",
            metric=totals["opened"],
        ),
        registry.Figure(
            "fulfilled",
            "Items fulfilled",
            totals["fulfilled"],
            "Delivered in the period",
            "fulfilled",
            colour="teal",
            metric=totals["fulfilled"],
        ),
        registry.Figure(
            "delivery_sla",
            "Delivery SLA compliance",
            "—" if compliance is None else f"{compliance} %",
            f"{totals['on_time']} of {totals['fulfilled']} within the promised time",
            "on_time",
            colour="amber",
            metric=compliance,
        ),
        registry.Figure(
            "late",
            "Delivered late",
            totals["fulfilled"] - totals["on_time"],
            "Fulfilled after the promised time",
            "late",
            colour="red",
            metric=totals["fulfilled"] - totals["on_time"],
        ),
        registry.Figure(
            "fulfilment_time",
            "Mean fulfilment time",
            "—" if fulfil_hours is None else f"{fulfil_hours} h",
            "Ordering to delivery, items fulfilled in the period",
            "fulfilled",
            colour="grey",
            metric=fulfil_hours,
        ),
        registry.Figure(
            "approval_time",
            "Mean approval time",
            "—" if approval_hours is None else f"{approval_hours} h",
            f"Asking to decision, {plans['decided']} decision(s) in the period",
            "approved",
            colour="grey",
            metric=approval_hours,
        ),
    ]


def _item_url(row: dict) -> str:
    return reverse("request_item:detail", args=[row["pk"]])


def records(scope, segment: str, arg: str) -> registry.RecordList | None:
    found = _segment(scope, segment, arg, item="requestitem__")
    if found is None:
        return None
    title, condition = found
    return registry.RecordList(
        title,
        _task_records(scope).filter(condition),
        COLUMNS,
        _item_url,
        display={"state": ITEM_WORKFLOW.label_of},
    )


registry.register(
    registry.PracticeDashboard(
        key="requests",
        title="Requests",
        description="What people order, how long approval and delivery take, and whether promises are kept.",
        build=build,
        records=records,
        metric=metric,
        order=40,
    )
)
