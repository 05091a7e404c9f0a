"""Manager dashboards: read-only figures from the Task table, each linking to the records behind it.

Every figure is one aggregate query over `visible_to`, so the page costs the same with ten
records or a million (the counts use the task indexes on state category, priority and kind).
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.models import Service
from itsm.core import roles
from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.filtersets import TaskFilterSet
from itsm.core.models import Task

ACTIVE = StateCategory.active()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The manager's landing page: open backlog by kind, priority and team, services not operational."""
    if not roles.sees_everything(request.user):
        raise PermissionDenied
    backlog = Task.objects.visible_to(request.user).active()
    totals = backlog.aggregate(
        open_total=Count("id"),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        urgent=Count("id", filter=Q(priority__lte=Priority.HIGH)),
        pending=Count("id", filter=Q(state_category=StateCategory.PENDING)),
    )
    return render(
        request,
        "dashboards/home.html",
        {
            "totals": totals,
            "links": _tile_links(),
            "by_priority": _by_priority(backlog),
            "by_kind": _by_kind(backlog),
            "by_team": _by_team(backlog),
            "degraded_services": _services_not_operational(),
        },
    )


def workspace_url(**filters) -> str | None:
    """The workspace list filtered like a figure; `None` when the list cannot express the filter."""
    if any(name not in TaskFilterSet.base_filters for name in filters):
        return None
    query = urlencode({"state_category": ACTIVE, **filters}, doseq=True)
    return f"{reverse('core:workspace')}?{query}#all-records"


def _tile_links() -> dict:
    return {
        "open_total": workspace_url(),
        "urgent": workspace_url(priority=[Priority.CRITICAL, Priority.HIGH]),
        "pending": workspace_url(state_category=[StateCategory.PENDING]),
        # Shown as a link once the shared FilterSet can select unassigned records.
        "unassigned": workspace_url(unassigned="true"),
    }


def _by_priority(backlog) -> list[dict]:
    counts = dict(backlog.values_list("priority").annotate(total=Count("id")).order_by())
    rows = _rows(
        [
            (Priority(value).label, counts.get(value, 0), workspace_url(priority=value))
            for value in Priority.values
        ]
    )
    for row, value in zip(rows, Priority.values, strict=True):
        row["colour"] = Priority.colour(value)
    return rows


def _by_kind(backlog) -> list[dict]:
    counts = dict(backlog.values_list("kind").annotate(total=Count("id")).order_by())
    return _rows(
        [(TaskKind(kind).label, total, workspace_url(kind=kind)) for kind, total in counts.items() if total],
        sort=True,
    )


def _by_team(backlog) -> list[dict]:
    rows = (
        backlog.values_list("assignment_group_id", "assignment_group__name")
        .annotate(total=Count("id"))
        .order_by("-total", "assignment_group__name")[:10]
    )
    return _rows(
        [
            (
                name or "Not routed to a team",
                total,
                workspace_url(assignment_group=team_id) if team_id else None,
            )
            for team_id, name, total in rows
        ]
    )


def _rows(rows: list[tuple], sort: bool = False) -> list[dict]:
    """Bars share one scale: the largest figure in the group."""
    if sort:
        rows = sorted(rows, key=lambda row: (-row[1], row[0]))
    largest = max((total for _, total, _ in rows), default=0)
    return [{"label": label, "total": total, "url": url, "max": largest} for label, total, url in rows]


def _services_not_operational() -> list[Service]:
    """Disrupted services with how many open records name them (one query)."""
    services = list(
        Service.objects.exclude(
            operational_status__in=[OperationalStatus.OPERATIONAL, OperationalStatus.RETIRED]
        )
        .annotate(open_records=Count("tasks", filter=Q(tasks__state_category__in=ACTIVE)))
        .select_related("owner_team")
        .order_by("criticality", "name")
    )
    for service in services:
        service.records_url = workspace_url(service=service.pk)
    return services
