"""Practice dashboards (problems, changes, requests, knowledge, …) drawn from the registry.

One view per purpose, shared by every practice: the board, a table as CSV, and the drill-down
list (page and streamed CSV) of the records behind a figure. Permissions and filters are the
overview's (`views._scope`): managers and admins see everything, team leads their teams only.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse

from itsm.dashboards import registry
from itsm.dashboards.templatetags.dashboard_tabs import FILTER_PARAMS, optional_reverse
from itsm.dashboards.views import CHUNK, _csv_response, _scope

PAGE_SIZE = 50


def _board_or_404(practice: str) -> registry.PracticeDashboard:
    board = registry.get(practice)
    if board is None:
        raise Http404("No such dashboard.")
    return board


def _filter_query(request: HttpRequest) -> dict:
    return {name: request.GET[name] for name in FILTER_PARAMS if request.GET.get(name)}


def drill_url(practice: str, segment: str, arg: str, filters: dict) -> str:
    """The list of records behind a figure, with the page's filters."""
    params = {**filters, **({"arg": arg} if arg else {})}
    url = reverse("dashboards:practice_records", args=[practice, segment])
    return f"{url}?{urlencode(params)}" if params else url


def improve_url(practice: str, figure: registry.Figure, filters: dict) -> str | None:
    """'Start an improvement' from a figure: the register's form, carrying the metric and its value."""
    base = optional_reverse("improvements:create")
    if base is None or figure.metric is None:
        return None
    page = reverse("dashboards:practice", args=[practice])
    params = {
        "metric": f"{practice}.{figure.key}",
        "value": figure.metric,
        "source": f"{page}?{urlencode(filters)}" if filters else page,
    }
    return f"{base}?{urlencode(params)}"


@login_required
def practice(request: HttpRequest, practice: str) -> HttpResponse:
    """A practice's figures and tables; every number links to the records it counts."""
    dashboard = _board_or_404(practice)
    form, scope = _scope(request)
    board = dashboard.build(scope)
    filters = _filter_query(request)
    figures = [
        {
            "figure": figure,
            "url": drill_url(practice, figure.segment, figure.arg, filters) if figure.segment else None,
            "improve_url": improve_url(practice, figure, filters),
        }
        for figure in board.figures
    ]
    tables = []
    for table in board.tables:
        largest = max((row.values[0] for row in table.rows if _is_number(row.values[:1])), default=0)
        rows = [
            {
                "row": row,
                "url": row.url
                or (drill_url(practice, row.segment, row.arg, filters) if row.segment else None),
            }
            for row in table.rows
        ]
        tables.append({"table": table, "rows": rows, "max": largest or 1})
    return render(
        request,
        "dashboards/practice_board.html",
        {
            "dashboard": dashboard,
            "board": board,
            "figures": figures,
            "tables": tables,
            "form": form,
            "export_query": urlencode(filters),
            "period": (scope.start, scope.end),
        },
    )


def _is_number(values: tuple) -> bool:
    return bool(values) and isinstance(values[0], int | float) and not isinstance(values[0], bool)


@login_required
def practice_table(request: HttpRequest, practice: str, table: str) -> StreamingHttpResponse:
    """One table of a practice board as CSV, with the page's filters."""
    dashboard = _board_or_404(practice)
    _form, scope = _scope(request)
    found = next((t for t in dashboard.build(scope).tables if t.key == table), None)
    if found is None:
        raise Http404("No such table.")
    rows = ((row.label, *("" if value is None else value for value in row.values)) for row in found.rows)
    return _csv_response(f"{practice}-{table}.csv", list(found.columns), rows)


def _record_list(request: HttpRequest, practice: str, segment: str) -> registry.RecordList:
    dashboard = _board_or_404(practice)
    _form, scope = _scope(request)
    arg = request.GET.get("arg", "")[:100]
    records = dashboard.records(scope, segment, arg)
    if records is None:
        raise Http404("No such figure.")
    return records


@login_required
def practice_records(request: HttpRequest, practice: str, segment: str) -> HttpResponse:
    """The records behind one figure, fifty per page, each linking to its record page."""
    dashboard = _board_or_404(practice)
    records = _record_list(request, practice, segment)
    fields = ["pk", *records.url_fields, *(lookup for _, lookup in records.columns)]
    rows = records.queryset.order_by(*records.order_by).values(*fields)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [
        {
            "url": records.url(row),
            "cells": [records.show(lookup, row[lookup]) for _, lookup in records.columns],
        }
        for row in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    board_url = reverse("dashboards:practice", args=[practice])
    csv_url = reverse("dashboards:practice_records_csv", args=[practice, segment])
    return render(
        request,
        "dashboards/practice_records.html",
        {
            "dashboard": dashboard,
            "records": records,
            "page": page,
            "lines": lines,
            "query": query.urlencode(),
            "back_url": f"{board_url}?{urlencode(_filter_query(request))}",
            "csv_url": f"{csv_url}?{query.urlencode()}",
        },
    )


@login_required
def practice_records_csv(request: HttpRequest, practice: str, segment: str) -> StreamingHttpResponse:
    """The drill-down list as CSV, streamed in chunks (flat memory whatever the row count)."""
    records = _record_list(request, practice, segment)
    lookups = [lookup for _, lookup in records.columns]
    rows = (
        [records.show(lookup, value) for lookup, value in zip(lookups, row, strict=True)]
        for row in records.queryset.order_by(*records.order_by)
        .values_list(*lookups)
        .iterator(chunk_size=CHUNK)
    )
    header = [label for label, _ in records.columns]
    return _csv_response(f"{practice}-{segment}.csv", header, rows)
