"""Manager dashboards: read-only figures from the Task table, each linking to the records behind it.

Every figure is one aggregate query over `visible_to`, so the page costs the same with ten
records or a million (the counts use the task indexes on state category, priority and kind).
"""

import csv
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.models import Service
from itsm.core import roles
from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.filtersets import TaskFilterSet
from itsm.core.models import Task
from itsm.dashboards import charts, selectors
from itsm.dashboards.forms import OverviewFilterForm

ACTIVE = StateCategory.active()
#: Rows fetched per round trip by the CSV exports: memory stays flat whatever the row count.
CHUNK = 2000


def _led_teams(request: HttpRequest) -> tuple[int, ...] | None:
    """None for managers and admins (every team); the led teams' ids for a team lead; else 403."""
    if roles.sees_everything(request.user):
        return None
    if request.user.is_authenticated and roles.is_staff_member(request.user):
        led = tuple(request.user.led_teams.filter(is_active=True).values_list("pk", flat=True))
        if led:
            return led
    raise PermissionDenied


def _scope(request: HttpRequest) -> tuple[OverviewFilterForm, selectors.Scope]:
    """The filter form and the scope it describes; a team lead is always narrowed to their teams."""
    led = _led_teams(request)
    form = OverviewFilterForm(request.GET or None, teams=led)
    start, end = form.bounds()
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {}
    teams = (data["team"].pk,) if data.get("team") else (led or ())
    scope = selectors.Scope(
        user=request.user,
        start=start,
        end=end,
        teams=teams,
        service=data["service"].pk if data.get("service") else None,
        priority=data.get("priority"),
    )
    return form, scope


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The manager's landing page: open backlog by kind, priority and team, then the incident overview."""
    form, scope = _scope(request)
    backlog = Task.objects.visible_to(request.user).active()
    if scope.teams:
        backlog = backlog.filter(assignment_group_id__in=scope.teams)
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
            "form": form,
            "overview": _overview(scope),
            "export_query": request.GET.urlencode(),
        },
    )


def _overview(scope: selectors.Scope) -> dict:
    """The incident figures for the scope, each row with the link to the records it counts."""
    base = scope.filters()
    active = {"state_category": ACTIVE}
    period = {"opened_after": scope.start.isoformat(), "opened_before": scope.end.isoformat()}
    resolved = {"resolved_after": scope.start.isoformat(), "resolved_before": scope.end.isoformat()}
    totals = selectors.period_totals(scope)
    by_priority = _rows(
        [
            (Priority(value).label, total, _drill(base, active, priority=value))
            for value, total in selectors.backlog_by_priority(scope).items()
        ]
    )
    by_group = _rows(
        [
            (name, total, _drill(base, active, assignment_group=team_id) if team_id else None)
            for team_id, name, total in selectors.backlog_by_group(scope)
        ]
    )
    ageing = _rows(
        [
            (
                label,
                total,
                _drill(
                    base,
                    active,
                    opened_before=before.isoformat(),
                    **({"opened_after": after.isoformat()} if after else {}),
                ),
            )
            for label, after, before, total in selectors.backlog_ageing(scope)
        ]
    )
    flow = selectors.incoming_vs_resolved(scope)
    times = selectors.resolution_times(scope)
    return {
        "totals": totals,
        "links": {
            "opened": _drill(base, period),
            "resolved": _drill(base, resolved),
            "open_now": _drill(base, active),
        },
        "by_priority": by_priority,
        "by_group": by_group,
        "ageing": ageing,
        "flow": flow,
        "flow_chart": charts.columns(flow, ("Opened", "Resolved")),
        "times": [
            {
                "label": Priority(value).label,
                "resolved": row["resolved"],
                "mean_respond": row["mean_respond"],
                "mean_resolve": row["mean_resolve"],
                "url": _drill(base, resolved, priority=value),
            }
            for value, row in times.items()
        ],
    }


def _drill(*parts: dict, **extra) -> str:
    """The workspace list showing exactly the records behind a figure (every kind of filter merged)."""
    params: dict = {}
    for part in (*parts, extra):
        params.update(part)
    query = urlencode(params, doseq=True)
    return f"{reverse('core:workspace')}?{query}#all-records"


TABLES = {
    "priority": (
        ["Priority", "Open incidents"],
        lambda o: [(r["label"], r["total"]) for r in o["by_priority"]],
    ),
    "group": (["Team", "Open incidents"], lambda o: [(r["label"], r["total"]) for r in o["by_group"]]),
    "ageing": (["Age", "Open incidents"], lambda o: [(r["label"], r["total"]) for r in o["ageing"]]),
    "flow": (["Day", "Opened", "Resolved"], lambda o: [(d.isoformat(), a, b) for d, a, b in o["flow"]]),
    "times": (
        ["Priority", "Resolved", "Mean time to respond (s)", "Mean time to resolve (s)"],
        lambda o: [
            (r["label"], r["resolved"], _seconds(r["mean_respond"]), _seconds(r["mean_resolve"]))
            for r in o["times"]
        ],
    ),
}


def _seconds(value) -> str:
    return "" if value is None else str(round(value.total_seconds()))


class _Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, header: list[str], rows: Iterable) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe(cell) -> object:
    """Neutralise spreadsheet formulas in user text (CSV injection)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


@login_required
def export_table(request: HttpRequest, table: str) -> StreamingHttpResponse:
    """One overview table as CSV, with the page's filters."""
    if table not in TABLES:
        raise Http404("No such table.")
    _form, scope = _scope(request)
    header, extract = TABLES[table]
    return _csv_response(f"overview-{table}.csv", header, extract(_overview(scope)))


@login_required
def export_records(request: HttpRequest) -> HttpResponse:
    """The drill-down list as CSV: the workspace filters, streamed in chunks (flat memory)."""
    led = _led_teams(request)
    queryset = Task.objects.visible_to(request.user)
    if led:
        queryset = queryset.filter(assignment_group_id__in=led)
    filterset = TaskFilterSet(request.GET, queryset=queryset)
    if not filterset.is_valid():
        return HttpResponse(
            str(filterset.errors.as_text()), status=400, content_type="text/plain; charset=utf-8"
        )
    fields = [
        "number",
        "kind",
        "title",
        "state",
        "priority",
        "assignment_group__name",
        "opened_at",
        "resolved_at",
    ]
    rows = filterset.qs.order_by("id").values_list(*fields).iterator(chunk_size=CHUNK)
    header = ["Number", "Kind", "Title", "State", "Priority", "Team", "Opened", "Resolved"]
    return _csv_response("records.csv", header, rows)


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
