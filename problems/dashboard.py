"""The problem management dashboard, registered with `itsm.dashboards.registry`.

Figures: problems open now and by age, known errors, incidents linked per problem, and the time
from opening to a known error (root cause and workaround both recorded: the moment the
services set `known_error_at`). Each figure is one aggregate query; each names a segment whose
records the drill-down lists with the same condition.
"""

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task
from itsm.dashboards import registry
from problems.models import INCIDENT_LINK, Problem
from problems.workflow import PROBLEM_WORKFLOW

ACTIVE = StateCategory.active()
#: Open problems by age since opening: (label, lower bound in days, upper bound or None).
AGE_BUCKETS = [
    ("Under 7 days", 0, 7),
    ("7–30 days", 7, 30),
    ("30–90 days", 30, 90),
    ("Over 90 days", 90, None),
]
TOP = 10

COLUMNS = (
    ("Number", "number"),
    ("Title", "title"),
    ("State", "state"),
    ("Priority", "priority"),
    ("Team", "assignment_group__name"),
    ("Opened", "opened_at"),
    ("Known error since", "known_error_at"),
)

DISPLAY = {"state": PROBLEM_WORKFLOW.label_of, "priority": registry.priority_label}
INCIDENT_DISPLAY = {"priority": registry.priority_label}


def _problems(scope):
    # The kind filter lets PostgreSQL start from the task kind index instead of every task row.
    return registry.narrow(Problem.objects.visible_to(scope.user).filter(kind=TaskKind.PROBLEM), scope)


def _age_condition(index: int, now) -> Q:
    _label, low, high = AGE_BUCKETS[index]
    condition = Q(state_category__in=ACTIVE, opened_at__lt=now - timedelta(days=low))
    if high is not None:
        condition &= Q(opened_at__gte=now - timedelta(days=high))
    return condition


def _segment(scope, segment: str, arg: str) -> tuple[str, Q] | None:
    """(title, condition) of the problems a figure counts; None for an unknown segment or argument."""
    if segment == "open":
        return "Open problems", Q(state_category__in=ACTIVE)
    if segment == "known_errors":
        return "Open known errors", Q(state_category__in=ACTIVE, known_error=True)
    if segment == "opened":
        return "Problems opened in the period", Q(**registry.in_period("opened_at", scope))
    if segment == "resolved":
        return "Problems resolved in the period", Q(**registry.in_period("resolved_at", scope)) & ~Q(
            state_category=StateCategory.CANCELLED
        )
    if segment == "rooted":
        condition = Q(known_error=True, **registry.in_period("known_error_at", scope))
        if arg:
            if arg not in {str(value) for value in Priority.values}:
                return None
            condition &= Q(priority=int(arg))
        return "Problems that became known errors in the period", condition
    if segment == "age" and arg.isdigit() and int(arg) < len(AGE_BUCKETS):
        return f"Open problems aged {AGE_BUCKETS[int(arg)][0].lower()}", _age_condition(int(arg), _now())
    return None


def build(scope) -> registry.Board:
    problems = _problems(scope)
    now = _now()
    to_known_error = ExpressionWrapper(F("known_error_at") - F("opened_at"), output_field=DurationField())
    totals = problems.aggregate(
        open=Count("pk", filter=_segment(scope, "open", "")[1]),
        known_errors=Count("pk", filter=_segment(scope, "known_errors", "")[1]),
        opened=Count("pk", filter=_segment(scope, "opened", "")[1]),
        resolved=Count("pk", filter=_segment(scope, "resolved", "")[1]),
        rooted=Count("pk", filter=_segment(scope, "rooted", "")[1]),
        mean_to_known_error=Avg(to_known_error, filter=_segment(scope, "rooted", "")[1]),
        **{f"age{i}": Count("pk", filter=_age_condition(i, now)) for i in range(len(AGE_BUCKETS))},
    )
    by_priority = (
        problems.filter(_segment(scope, "rooted", "")[1])
        .values("priority")
        .annotate(total=Count("pk"), mean=Avg(to_known_error))
        .order_by("priority")
    )
    linked = (
        problems.filter(state_category__in=ACTIVE)
        .annotate(
            incidents=Count(
                "links_in",
                filter=Q(links_in__kind=INCIDENT_LINK, links_in__source__kind=TaskKind.INCIDENT),
            )
        )
        .filter(incidents__gt=0)
        .order_by("-incidents", "-pk")
        .values("pk", "number", "title", "incidents")[:TOP]
    )
    mean_hours = registry.hours(totals["mean_to_known_error"])
    figures = [
        registry.Figure(
            "open",
            "Open problems",
            totals["open"],
            "New, open and pending now",
            "open",
            metric=totals["open"],
        ),
        registry.Figure(
            "known_errors",
            "Open known errors",
            totals["known_errors"],
            "Root cause and workaround recorded",
            "known_errors",
            colour="amber",
            metric=totals["known_errors"],
        ),
        registry.Figure(
            "opened",
            "Opened",
            totals["opened"],
            "Problems opened in the period",
            "opened",
            metric=totals["opened"],
        ),
        registry.Figure(
            "resolved",
            "Resolved",
            totals["resolved"],
            "Resolved in the period (not cancelled)",
            "resolved",
            colour="teal",
            metric=totals["resolved"],
        ),
        registry.Figure(
            "time_to_root_cause",
            "Mean time to root cause",
            f"{mean_hours} h" if mean_hours is not None else "—",
            f"Opening to known error, {totals['rooted']} problem(s) in the period",
            "rooted",
            colour="grey",
            metric=mean_hours,
        ),
    ]
    tables = [
        registry.Table(
            "age",
            "Open problems by age",
            ("Age", "Open problems"),
            [
                registry.Row(label, (totals[f"age{i}"],), "age", str(i))
                for i, (label, _l, _h) in enumerate(AGE_BUCKETS)
            ],
            bars=True,
        ),
        registry.Table(
            "linked_incidents",
            "Incidents linked per open problem",
            ("Problem", "Linked incidents"),
            [
                registry.Row(
                    f"{row['number']} {row['title']}", (row["incidents"],), "incidents", str(row["pk"])
                )
                for row in linked
            ],
            empty="No open problem has linked incidents.",
            bars=True,
            note=f"The {TOP} open problems with the most incidents caused by them.",
        ),
        registry.Table(
            "time_to_root_cause",
            "Time to root cause by priority",
            ("Priority", "Became known errors", "Mean hours to known error"),
            [
                registry.Row(
                    Priority(row["priority"]).label,
                    (row["total"], registry.hours(row["mean"])),
                    "rooted",
                    str(row["priority"]),
                )
                for row in by_priority
            ],
            empty="No problem became a known error in the period.",
        ),
    ]
    return registry.Board(figures, tables)


def _now():
    return timezone.now()


def _problem_url(row: dict) -> str:
    return reverse("problem:detail", args=[row["pk"]])


def _incident_url(row: dict) -> str:
    try:
        return reverse("incident:detail", args=[row["pk"]])
    except NoReverseMatch:
        return reverse("core:task-detail", args=[row["pk"]])


def records(scope, segment: str, arg: str) -> registry.RecordList | None:
    if segment == "incidents":
        if not arg.isdigit():
            return None
        problem = _problems(scope).filter(pk=int(arg)).values_list("number", flat=True).first()
        if problem is None:
            return None
        incidents = Task.objects.visible_to(scope.user).filter(
            kind=TaskKind.INCIDENT, links_out__kind=INCIDENT_LINK, links_out__target_id=int(arg)
        )
        return registry.RecordList(
            f"Incidents linked to {problem}", incidents, COLUMNS[:6], _incident_url, display=INCIDENT_DISPLAY
        )
    found = _segment(scope, segment, arg)
    if found is None:
        return None
    title, condition = found
    return registry.RecordList(
        title, _problems(scope).filter(condition), COLUMNS, _problem_url, display=DISPLAY
    )


registry.register(
    registry.PracticeDashboard(
        key="problems",
        title="Problems",
        description="What is still unexplained, what is known, and how fast causes are found.",
        build=build,
        records=records,
        order=20,
    )
)
