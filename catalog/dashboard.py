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

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.urls import reverse

from catalog.models import RequestItem
from catalog.services.approvals import PURPOSE
from catalog.workflow import FULFILLED, ITEM_WORKFLOW
from itsm.approvals.models import ApprovalPlan
from itsm.core.choices import TaskKind
from itsm.dashboards import registry

TOP = 10
COLUMNS = (
    ("Number", "number"),
    ("Title", "title"),
    ("Catalog item", "catalog_item__name"),
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


def _on_time() -> Q:
    return Q(resolved_at__lte=F("opened_at") + F("catalog_item__delivery_time"))


def _decided_plans(scope):
    return ApprovalPlan.objects.filter(
        subject_id=OuterRef("pk"), purpose=PURPOSE, **registry.in_period("decided_at", scope)
    )


def _segment(scope, segment: str, arg: str) -> tuple[str, Q] | None:
    opened = Q(**registry.in_period("opened_at", scope))
    fulfilled = Q(state=FULFILLED, **registry.in_period("resolved_at", scope))
    simple = {
        "opened": ("Items requested in the period", opened),
        "fulfilled": ("Items fulfilled in the period", fulfilled),
        "on_time": ("Items fulfilled within the promised delivery time", fulfilled & _on_time()),
        "late": ("Items fulfilled after the promised delivery time", fulfilled & ~_on_time()),
        "approved": ("Items whose approval was decided in the period", Q(approval_decided=True)),
    }
    if segment in simple and not arg:
        return simple[segment]
    if segment == "item" and arg.isdigit():
        return "Items requested in the period for one catalog item", opened & Q(catalog_item_id=int(arg))
    return None


def _condition(scope, segment: str) -> Q:
    return _segment(scope, segment, "")[1]


def _queryset(scope):
    return _items(scope).annotate(approval_decided=Exists(_decided_plans(scope)))


def build(scope) -> registry.Board:
    items = _items(scope)
    to_fulfil = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())
    fulfilled = _condition(scope, "fulfilled")
    # One grouped query per catalog item gives the table and, summed, the totals (the catalog is
    # small: a few hundred items at most, so every group is fetched and the table keeps the top).
    groups = list(
        items.filter(_condition(scope, "opened") | fulfilled)
        .values("catalog_item_id", "catalog_item__name")
        .annotate(
            requested=Count("pk", filter=_condition(scope, "opened")),
            fulfilled=Count("pk", filter=fulfilled),
            on_time=Count("pk", filter=_condition(scope, "on_time")),
            fulfil_time=Sum(to_fulfil, filter=fulfilled),
        )
        .order_by("-requested", "catalog_item__name")
    )
    totals = {
        "opened": sum(row["requested"] for row in groups),
        "fulfilled": sum(row["fulfilled"] for row in groups),
        "on_time": sum(row["on_time"] for row in groups),
    }
    total_time = sum((row["fulfil_time"] for row in groups if row["fulfil_time"]), timedelta())
    totals["mean_fulfil"] = total_time / totals["fulfilled"] if totals["fulfilled"] else None
    by_item = [
        {**row, "mean": row["fulfil_time"] / row["fulfilled"] if row["fulfilled"] else None}
        for row in groups[:TOP]
    ]
    plans = ApprovalPlan.objects.filter(
        purpose=PURPOSE, subject__in=items.values("pk"), **registry.in_period("decided_at", scope)
    ).aggregate(
        decided=Count("pk"),
        mean=Avg(ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())),
    )
    compliance = registry.percent(totals["on_time"], totals["fulfilled"])
    fulfil_hours = registry.hours(totals["mean_fulfil"])
    approval_hours = registry.hours(plans["mean"])
    figures = [
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
    tables = [
        registry.Table(
            "volume_by_item",
            "Volume by catalog item",
            ("Catalog item", "Requested", "Fulfilled", "Mean hours to fulfil", "Delivered on time (%)"),
            [
                registry.Row(
                    row["catalog_item__name"],
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
    return registry.Board(figures, tables)


def _item_url(row: dict) -> str:
    return reverse("request_item:detail", args=[row["pk"]])


def records(scope, segment: str, arg: str) -> registry.RecordList | None:
    found = _segment(scope, segment, arg)
    if found is None:
        return None
    title, condition = found
    return registry.RecordList(
        title,
        _queryset(scope).filter(condition),
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
        order=40,
    )
)
