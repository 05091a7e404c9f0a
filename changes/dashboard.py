"""The change management dashboard, registered with `itsm.dashboards.registry`.

Definitions (the same condition counts a figure and lists its records):
- *opened*: changes raised in the period (any state, cancelled included: they were requested);
- *completed*: implementation finished in the period with a close code (`resolved_at` is stamped
  when the change moves to review); cancelled changes never have a close code;
- *success rate*: completed as successful or successful-with-issues, over completed;
- *emergency share*: emergency changes over changes opened in the period;
- *caused incidents*: completed changes that an incident names as its cause (`core.TaskLink`);
- *CAB backlog*: changes waiting for authorization now; *upcoming*: planned to start in the next
  14 days and not closed or cancelled.
"""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from changes.choices import ChangeType, CloseCode
from changes.models import Change
from changes.services.links import CAUSE_LINK
from changes.workflow import AUTHORIZE, CHANGE_WORKFLOW
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.models import Task, TaskLink
from itsm.dashboards import registry

UPCOMING_DAYS = 14
TOP = 10
SUCCESS = [CloseCode.SUCCESSFUL, CloseCode.SUCCESSFUL_WITH_ISSUES]
FINISHED = [StateCategory.CLOSED, StateCategory.CANCELLED]

COLUMNS = (
    ("Number", "number"),
    ("Title", "title"),
    ("Type", "change_type"),
    ("State", "state"),
    ("Close code", "close_code"),
    ("Team", "assignment_group__name"),
    ("Planned start", "planned_start"),
    ("Opened", "opened_at"),
)
INCIDENT_COLUMNS = (
    ("Number", "number"),
    ("Title", "title"),
    ("State", "state"),
    ("Priority", "priority"),
    ("Team", "assignment_group__name"),
    ("Opened", "opened_at"),
)

DISPLAY = {
    "state": CHANGE_WORKFLOW.label_of,
    "change_type": lambda value: ChangeType(value).label if value in ChangeType.values else value,
    "close_code": lambda value: CloseCode(value).label if value in CloseCode.values else value,
}


def _changes(scope):
    # The kind filter lets PostgreSQL start from the task kind index instead of every task row.
    return registry.narrow(Change.objects.visible_to(scope.user).filter(kind=TaskKind.CHANGE), scope)


def _caused_incident():
    return Exists(
        TaskLink.objects.filter(target_id=OuterRef("pk"), kind=CAUSE_LINK, source__kind=TaskKind.INCIDENT)
    )


def _segment(scope, segment: str, arg: str) -> tuple[str, Q] | None:
    opened = Q(**registry.in_period("opened_at", scope))
    completed = Q(**registry.in_period("resolved_at", scope)) & ~Q(close_code="")
    now = timezone.now()
    simple = {
        "opened": ("Changes opened in the period", opened),
        "completed": ("Changes completed in the period", completed),
        "successful": ("Changes completed successfully in the period", completed & Q(close_code__in=SUCCESS)),
        "unsuccessful": (
            "Changes failed or backed out in the period",
            completed & Q(close_code__in=CloseCode.unsuccessful()),
        ),
        "cab_backlog": ("Changes waiting for authorization", Q(state=AUTHORIZE)),
        "upcoming": (
            f"Changes planned in the next {UPCOMING_DAYS} days",
            Q(planned_start__gte=now, planned_start__lt=now + timedelta(days=UPCOMING_DAYS))
            & ~Q(state_category__in=FINISHED),
        ),
        "caused_incidents": (
            "Changes completed in the period that caused incidents",
            completed & Q(caused=True),
        ),
    }
    if segment in simple and not arg:
        return simple[segment]
    if segment == "type" and arg in ChangeType.values:
        return f"{ChangeType(arg).label} changes opened in the period", opened & Q(change_type=arg)
    if segment == "close_code" and arg in CloseCode.values:
        return f"Changes completed “{CloseCode(arg).label}” in the period", completed & Q(close_code=arg)
    return None


def _condition(scope, segment: str, arg: str = "") -> Q:
    return _segment(scope, segment, arg)[1]


def build(scope) -> registry.Board:
    changes = _changes(scope).annotate(caused=_caused_incident())
    names = [
        "opened",
        "completed",
        "successful",
        "unsuccessful",
        "cab_backlog",
        "caused_incidents",
        "upcoming",
    ]
    totals = changes.aggregate(
        **{name: Count("pk", filter=_condition(scope, name)) for name in names},
        emergency=Count("pk", filter=_condition(scope, "type", ChangeType.EMERGENCY)),
    )
    by_type = dict(
        changes.filter(_condition(scope, "opened"))
        .values_list("change_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_code = dict(
        changes.filter(_condition(scope, "completed"))
        .values_list("close_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    causing = (
        _changes(scope)
        .filter(_condition(scope, "completed"))
        .annotate(
            incidents=Count(
                "links_in", filter=Q(links_in__kind=CAUSE_LINK, links_in__source__kind=TaskKind.INCIDENT)
            )
        )
        .filter(incidents__gt=0)
        .order_by("-incidents", "-pk")
        .values("pk", "number", "title", "incidents")[:TOP]
    )
    upcoming = (
        _changes(scope)
        .filter(_condition(scope, "upcoming"))
        .order_by("planned_start", "pk")
        .values("pk", "number", "title", "change_type", "planned_start", "state")[:TOP]
    )
    success_rate = registry.percent(totals["successful"], totals["completed"])
    emergency_share = registry.percent(totals["emergency"], totals["opened"])
    figures = [
        registry.Figure(
            "opened",
            "Changes opened",
            totals["opened"],
            "Raised in the period",
            "opened",
            metric=totals["opened"],
        ),
        registry.Figure(
            "success_rate",
            "Success rate",
            _pct(success_rate),
            f"{totals['successful']} of {totals['completed']} completed in the period",
            "completed",
            colour="teal",
            metric=success_rate,
        ),
        registry.Figure(
            "unsuccessful",
            "Failed or backed out",
            totals["unsuccessful"],
            "Completed unsuccessfully in the period",
            "unsuccessful",
            colour="red",
            metric=totals["unsuccessful"],
        ),
        registry.Figure(
            "emergency_share",
            "Emergency share",
            _pct(emergency_share),
            f"{totals['emergency']} of {totals['opened']} opened in the period",
            "type",
            ChangeType.EMERGENCY,
            colour="amber",
            metric=emergency_share,
        ),
        registry.Figure(
            "caused_incidents",
            "Caused incidents",
            totals["caused_incidents"],
            "Completed changes named as an incident's cause",
            "caused_incidents",
            colour="red",
            metric=totals["caused_incidents"],
        ),
        registry.Figure(
            "cab_backlog",
            "CAB backlog",
            totals["cab_backlog"],
            "Waiting for authorization now",
            "cab_backlog",
            colour="grey",
            metric=totals["cab_backlog"],
        ),
        registry.Figure(
            "upcoming",
            "Upcoming",
            totals["upcoming"],
            f"Planned to start in {UPCOMING_DAYS} days",
            "upcoming",
            colour="blue",
            metric=totals["upcoming"],
        ),
    ]
    tables = [
        registry.Table(
            "volume_by_type",
            "Volume by type",
            ("Type", "Opened in the period"),
            [
                registry.Row(label, (by_type.get(value, 0),), "type", value)
                for value, label in ChangeType.choices
            ],
            bars=True,
        ),
        registry.Table(
            "outcomes",
            "Outcomes of completed changes",
            ("Close code", "Changes"),
            [
                registry.Row(label, (by_code.get(value, 0),), "close_code", value)
                for value, label in CloseCode.choices
            ],
            bars=True,
        ),
        registry.Table(
            "causing_incidents",
            "Changes causing incidents",
            ("Change", "Incidents caused"),
            [
                registry.Row(
                    f"{row['number']} {row['title']}", (row["incidents"],), "incidents", str(row["pk"])
                )
                for row in causing
            ],
            empty="No change completed in the period is named as an incident's cause.",
            bars=True,
            note=f"Completed in the period; the {TOP} with the most incidents.",
        ),
        registry.Table(
            "upcoming",
            f"Upcoming schedule (next {UPCOMING_DAYS} days)",
            ("Change", "Type", "Planned start", "State"),
            [
                registry.Row(
                    f"{row['number']} {row['title']}",
                    (
                        ChangeType(row["change_type"]).label,
                        timezone.localtime(row["planned_start"]).strftime("%Y-%m-%d %H:%M"),
                        row["state"],
                    ),
                    url=reverse("change:detail", args=[row["pk"]]),
                )
                for row in upcoming
            ],
            empty="No change is planned in the next two weeks.",
            note=f"The next {TOP}; the “Upcoming” figure lists them all.",
        ),
    ]
    return registry.Board(figures, tables)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value} %"


def _change_url(row: dict) -> str:
    return reverse("change:detail", args=[row["pk"]])


def _incident_url(row: dict) -> str:
    try:
        return reverse("incident:detail", args=[row["pk"]])
    except NoReverseMatch:
        return reverse("core:task-detail", args=[row["pk"]])


def records(scope, segment: str, arg: str) -> registry.RecordList | None:
    if segment == "incidents":
        if not arg.isdigit():
            return None
        number = _changes(scope).filter(pk=int(arg)).values_list("number", flat=True).first()
        if number is None:
            return None
        incidents = Task.objects.visible_to(scope.user).filter(
            kind=TaskKind.INCIDENT, links_out__kind=CAUSE_LINK, links_out__target_id=int(arg)
        )
        return registry.RecordList(
            f"Incidents caused by {number}", incidents, INCIDENT_COLUMNS, _incident_url
        )
    found = _segment(scope, segment, arg)
    if found is None:
        return None
    title, condition = found
    queryset = _changes(scope).annotate(caused=_caused_incident()).filter(condition)
    return registry.RecordList(title, queryset, COLUMNS, _change_url, display=DISPLAY)


registry.register(
    registry.PracticeDashboard(
        key="changes",
        title="Changes",
        description="How much changes, how well it goes, and what is coming.",
        build=build,
        records=records,
        order=30,
    )
)
