"""Manager dashboards: read-only figures from the Task table, each linking to the records behind it.

Every figure is one aggregate query over `visible_to`, so the page costs the same with ten
records or a million (the counts use the task indexes on state category, priority and kind).
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core import roles
from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.filtersets import TaskFilterSet
from itsm.core.models import Task, Team
from itsm.dashboards import caching, charts, rollups, selectors
from itsm.dashboards.forms import OverviewFilterForm
from itsm.sla.choices import Target
from itsm.sla.models import SLADefinition

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
    with timezone.override(rollups.zone()):  # periods are whole days of the rollups' zone
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
    summary = selectors.backlog_summary(backlog)
    overview = _overview(scope, extra_teams=summary["by_team"].keys())
    return render(
        request,
        "dashboards/home.html",
        {
            "totals": summary["totals"],
            "links": _tile_links(),
            "by_priority": _by_priority(summary["by_priority"]),
            "by_kind": _by_kind(summary["by_kind"]),
            "by_team": _by_team(summary["by_team"], overview["team_names"]),
            "degraded_services": _services_not_operational(),
            "form": form,
            "overview": overview,
            "export_query": request.GET.urlencode(),
        },
    )


def _overview(scope: selectors.Scope, extra_teams: Iterable = ()) -> dict:
    """The incident figures for the scope, each row with the link to the records it counts.

    Period figures come from the daily rollups (`selectors.period_figures`, `sla_compliance`);
    the backlog, breaches, at-risk, majors open now, medians and top CIs are live.
    """
    base = scope.filters()
    active = {"state_category": ACTIVE}
    period = {"opened_after": scope.start.isoformat(), "opened_before": scope.end.isoformat()}
    resolved = {"resolved_after": scope.start.isoformat(), "resolved_before": scope.end.isoformat()}
    # Resolved in the period and not cancelled: the base of mean/median times and rates.
    done = {**resolved, "state_category": [StateCategory.RESOLVED, StateCategory.CLOSED]}
    open_now = selectors.open_summary(scope)
    backlog = open_now["by_priority"]
    by_priority = _rows(
        [
            (Priority(value).label, total, _drill(base, active, priority=value))
            for value, total in backlog.items()
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
            for label, after, before, total in open_now["ageing"]
        ]
    )
    freshness = rollups.freshness()
    figures, sla, medians, cis = caching.period_figures(scope, freshness)
    now = open_now["now"]
    names = _names(sla, figures["services"], cis, {*open_now["by_group"], *extra_teams})
    by_group = _rows(
        sorted(
            (
                (
                    names["team"].get(team_id, f"Team {team_id}") if team_id else "Not routed to a team",
                    total,
                    _drill(base, active, assignment_group=team_id) if team_id else None,
                )
                for team_id, total in open_now["by_group"].items()
                if total
            ),
            key=lambda row: (-row[1], row[0]),
        )[:10]
    )
    flow = [
        _flow_row(scope, base, key, opened, resolved_count, figures["weekly"])
        for key, opened, resolved_count in figures["flow"]
    ]
    rates = figures["rates"]
    queue_filters = {k: v for k, v in base.items() if k != "kind"}
    return {
        "totals": {**figures["totals"], "open_now": sum(backlog.values())},
        "links": {
            "opened": _drill(base, period),
            "resolved": _drill(base, resolved),
            "open_now": _drill(base, active),
            "breached": _queue("breached", queue_filters),
            "at_risk": _queue("at-risk", queue_filters),
            "major_open": _queue("major", queue_filters, major_state="accepted"),
            "major_opened": _queue("all", queue_filters, period, major_state="accepted"),
        },
        "rates": rates,
        "quality": _quality_tiles(rates, _rate_links(scope, base, done)),
        "now": now,
        "by_priority": by_priority,
        "by_group": by_group,
        "ageing": ageing,
        "flow": flow,
        "weekly": figures["weekly"],
        "flow_chart": charts.columns(
            [(row["short"], row["opened"], row["resolved"]) for row in flow], ("Opened", "Resolved")
        ),
        "times": [
            {
                "label": Priority(value).label,
                "resolved": row["resolved"],
                "mean_respond": row["mean_respond"],
                "mean_resolve": row["mean_resolve"],
                "median_respond": medians.get(value, {}).get("respond"),
                "median_resolve": medians.get(value, {}).get("resolve"),
                "url": _drill(base, done, priority=value),
            }
            for value, row in figures["times"].items()
        ],
        "sla": _sla_tables(scope, base, sla, names),
        "top_services": _rows(
            [
                (names["service"].get(pk, f"Service {pk}"), total, _drill(base, period, service=pk))
                for pk, total in figures["services"]
            ]
        ),
        "top_cis": _rows(
            [
                (names["ci"].get(pk, f"CI {pk}"), total, _drill(base, period, configuration_item=pk))
                for pk, total in cis
            ]
        ),
        "team_names": names["team"],
        "freshness": freshness,
        "refresh_minutes": rollups.REFRESH_MINUTES,
        "median_max_days": selectors.MEDIAN_MAX_DAYS,
        "zone": rollups.zone().key,
    }


def _rate_links(scope, base: dict, done: dict) -> dict:
    return {
        "reopened": _drill(base, done, reopened="true"),
        "first_contact": _drill(base, done, first_contact="true"),
        "csat": _drill(base, rated_after=scope.start.isoformat(), rated_before=scope.end.isoformat()),
    }


def _quality_tiles(rates: dict, links: dict) -> list[dict]:
    """First-contact resolution, reopen rate and CSAT as KPI tiles ("—" when nothing resolved or rated)."""
    resolved = rates["resolved"]
    nothing = "Nothing resolved in the period"
    return [
        {
            "label": "First-contact resolution",
            "value": "—" if rates["first_contact_rate"] is None else f"{rates['first_contact_rate']:.1f} %",
            "note": f"{rates['first_contact']} of {resolved} resolved" if resolved else nothing,
            "url": links["first_contact"] if rates["first_contact"] else None,
            "colour": "green",
        },
        {
            "label": "Reopen rate",
            "value": "—" if rates["reopen_rate"] is None else f"{rates['reopen_rate']:.1f} %",
            "note": f"{rates['reopened']} of {resolved} resolved were reopened" if resolved else nothing,
            "url": links["reopened"] if rates["reopened"] else None,
            "colour": "amber",
        },
        {
            "label": "Satisfaction (CSAT)",
            "value": "—" if rates["csat_average"] is None else f"{rates['csat_average']:.2f} / 5",
            "note": f"{rates['csat_count']} ratings" if rates["csat_count"] else "No rating in the period",
            "url": links["csat"] if rates["csat_count"] else None,
            "colour": "blue",
        },
    ]


def _flow_row(scope, base: dict, key, opened: int, resolved: int, weekly: bool) -> dict:
    """One day (or week, Monday to Sunday) of incoming vs resolved, clipped to the period, with links."""
    tz = rollups.zone()
    first = datetime.combine(key, time.min, tzinfo=tz)
    last = datetime.combine(key + timedelta(days=7 if weekly else 1), time.min, tzinfo=tz)
    after, before = max(first, scope.start).isoformat(), min(last, scope.end).isoformat()
    return {
        "key": key,
        "label": f"Week of {key:%-d %b}" if weekly else f"{key:%a %-d %b}",
        "short": f"{key:%-d %b}",  # chart ticks: short enough to stay legible on a phone
        "opened": opened,
        "resolved": resolved,
        "opened_url": _drill(base, opened_after=after, opened_before=before),
        "resolved_url": _drill(base, resolved_after=after, resolved_before=before),
    }


def _queue(slug: str, *filters: dict, **extra) -> str:
    """An incident queue (SLA breached, at risk, major) narrowed like the overview."""
    params: dict = {}
    for part in (*filters, extra):
        params.update(part)
    url = reverse("incident:queue", args=[slug])
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def _names(sla: dict, services: list, cis: list, teams: Iterable = ()) -> dict[str, dict]:
    """Labels for every id the figures name: one query per kind of thing, however many ids."""
    service_ids = {pk for pk, _ in services} | {pk for pk in sla["service_id"] if pk}
    team_ids = {pk for pk in sla["team_id"] if pk} | {pk for pk in teams if pk}
    return {
        "team": dict(Team.objects.filter(pk__in=team_ids or [0]).values_list("pk", "name")),
        "service": dict(Service.objects.filter(pk__in=service_ids or [0]).values_list("pk", "name")),
        "definition": {
            pk: (name, target)
            for pk, name, target in SLADefinition.objects.filter(
                pk__in=list(sla["definition_id"]) or [0]
            ).values_list("pk", "name", "target")
        },
        "ci": dict(
            ConfigurationItem.objects.filter(pk__in=[pk for pk, _ in cis] or [0]).values_list("pk", "name")
        ),
    }


SLA_HEADINGS = {
    "definition_id": ("sla-definition", "SLA compliance by definition", "Definition"),
    "team_id": ("sla-team", "SLA compliance by team", "Team"),
    "service_id": ("sla-service", "SLA compliance by service", "Service"),
    "priority": ("sla-priority", "SLA compliance by priority", "Priority"),
}


def _sla_tables(scope, base: dict, sla: dict, names: dict) -> list[dict]:
    """Per dimension, rows of response and resolution compliance; each breach count links to its records."""
    missed = {"sla_missed_after": scope.start.isoformat(), "sla_missed_before": scope.end.isoformat()}
    tables = []
    for dimension, (slug, heading, column) in SLA_HEADINGS.items():
        rows = []
        for key, cells in sla[dimension].items():
            label, narrow = _sla_key(dimension, key, names)
            row = {"label": label, "cells": []}
            for target in (Target.RESPONSE, Target.RESOLUTION):
                met, breached = cells[target]
                total = met + breached
                row["cells"].append(
                    {
                        "total": total,
                        "breached": breached,
                        "percent": round(100 * met / total, 1) if total else None,
                        "url": _drill(base, missed, narrow, sla_target=target)
                        if breached and narrow
                        else None,
                    }
                )
            rows.append(row)
        rows.sort(key=lambda row: str(row["label"]))
        tables.append({"slug": slug, "heading": heading, "column": column, "rows": rows})
    return tables


def _sla_key(dimension: str, key, names: dict) -> tuple[str, dict]:
    if dimension == "definition_id":
        name, _target = names["definition"].get(key, (f"Definition {key}", ""))
        return name, {"sla_definition": key}
    if dimension == "team_id":
        return (
            (names["team"].get(key, f"Team {key}"), {"assignment_group": key})
            if key
            else (
                "Not routed to a team",
                {},
            )
        )
    if dimension == "service_id":
        return (names["service"].get(key, f"Service {key}"), {"service": key}) if key else ("No service", {})
    return Priority(key).label, {"priority": key}


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
    "flow": (
        ["Day or week starting", "Opened", "Resolved"],
        lambda o: [(r["key"].isoformat(), r["opened"], r["resolved"]) for r in o["flow"]],
    ),
    "times": (
        [
            "Priority",
            "Resolved",
            "Mean time to respond (s)",
            "Median time to respond (s)",
            "Mean time to resolve (s)",
            "Median time to resolve (s)",
        ],
        lambda o: [
            (
                r["label"],
                r["resolved"],
                _seconds(r["mean_respond"]),
                _seconds(r["median_respond"]),
                _seconds(r["mean_resolve"]),
                _seconds(r["median_resolve"]),
            )
            for r in o["times"]
        ],
    ),
    "services": (
        ["Service", "Incidents opened"],
        lambda o: [(r["label"], r["total"]) for r in o["top_services"]],
    ),
    "cis": (
        ["Configuration item", "Incidents opened"],
        lambda o: [(r["label"], r["total"]) for r in o["top_cis"]],
    ),
    "sla": (
        [
            "Grouped by",
            "Name",
            "Response clocks",
            "Response met (%)",
            "Response breached",
            "Resolution clocks",
            "Resolution met (%)",
            "Resolution breached",
        ],
        lambda o: [
            (
                table["column"],
                row["label"],
                *(
                    value
                    for cell in row["cells"]
                    for value in (cell["total"], cell["percent"], cell["breached"])
                ),
            )
            for table in o["sla"]
            for row in table["rows"]
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


def _by_priority(counts: dict[int, int]) -> list[dict]:
    rows = _rows(
        [
            (Priority(value).label, counts.get(value, 0), workspace_url(priority=value))
            for value in Priority.values
        ]
    )
    for row, value in zip(rows, Priority.values, strict=True):
        row["colour"] = Priority.colour(value)
    return rows


def _by_kind(counts: dict[str, int]) -> list[dict]:
    return _rows(
        [(TaskKind(kind).label, total, workspace_url(kind=kind)) for kind, total in counts.items() if total],
        sort=True,
    )


def _by_team(counts: dict[int | None, int], names: dict[int, str]) -> list[dict]:
    """The ten teams with the most open records, largest first (ties by name)."""
    rows = sorted(
        (
            (
                names.get(team_id, f"Team {team_id}") if team_id else "Not routed to a team",
                total,
                workspace_url(assignment_group=team_id) if team_id else None,
            )
            for team_id, total in counts.items()
            if total
        ),
        key=lambda row: (-row[1], row[0]),
    )
    return _rows(rows[:10])


def _rows(rows: list[tuple], sort: bool = False) -> list[dict]:
    """Bars share one scale: the largest figure in the group."""
    if sort:
        rows = sorted(rows, key=lambda row: (-row[1], row[0]))
    largest = max((total for _, total, _ in rows), default=0)
    return [{"label": label, "total": total, "url": url, "max": largest} for label, total, url in rows]


def _services_not_operational() -> list[Service]:
    """Disrupted services with how many open records name them (two queries).

    The count reads only open tasks (the active-queue index), never every task a service ever had.
    """
    services = list(
        Service.objects.exclude(
            operational_status__in=[OperationalStatus.OPERATIONAL, OperationalStatus.RETIRED]
        )
        .select_related("owner_team")
        .order_by("criticality", "name")
    )
    counts = dict(
        Task.objects.filter(state_category__in=ACTIVE, service_id__in=[s.pk for s in services] or [0])
        .values_list("service_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    for service in services:
        service.open_records = counts.get(service.pk, 0)
        service.records_url = workspace_url(service=service.pk)
    return services
