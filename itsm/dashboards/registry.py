"""Practice dashboards, contributed by the practice apps without `itsm/` importing them.

Like the portal's search providers (`itsm/portal/search.py`): a practice app describes its
dashboard in its `dashboard.py` (imported from its `AppConfig.ready()`) and registers it here.
The dashboards app draws every registered board with one template, one filter form and one
set of permissions, so each practice only says *what* to count.

A board is built from a `Scope` (who asks, the period, team, service and priority; see
`selectors.Scope`) and returns figures (KPI tiles) and tables. Every figure and table row may
name a *segment*: the practice's `records(scope, segment, arg)` returns exactly the records
that figure counted, which the drill-down page lists and streams as CSV. Counting and listing
share one condition per segment, so a drill-down can never disagree with its figure.

Figures with a numeric `metric` value can be tracked by the continual-improvement register
(`metric_value`), which computes the same figure over other periods for its before/after chart.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet


@dataclass(frozen=True)
class Figure:
    """One KPI tile. `metric` is the plain number behind `value` (None when there is nothing to measure)."""

    key: str
    label: str
    value: object
    note: str = ""
    segment: str = ""
    arg: str = ""
    colour: str = "blue"
    metric: float | None = None


@dataclass(frozen=True)
class Row:
    """A table row: a label, then values; `segment`/`arg` point at the records behind its first figure."""

    label: str
    values: tuple
    segment: str = ""
    arg: str = ""
    url: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    heading: str
    columns: tuple[str, ...]
    rows: list[Row]
    empty: str = "Nothing to show for these filters."
    #: Draw the first value column as bars (counts); tables of durations or records are not.
    bars: bool = False
    note: str = ""


@dataclass(frozen=True)
class Board:
    figures: list[Figure]
    tables: list[Table]
    #: Filters that do not apply to this practice's records, said on the page (e.g. priority for articles).
    ignored_filters: tuple[str, ...] = ()
    #: How fresh the figures are, said on the page (a board read from a rollup says when it last ran).
    freshness: str = ""


@dataclass(frozen=True)
class RecordList:
    """The records behind one figure: a queryset, the columns to show and export, and a link per row."""

    title: str
    queryset: QuerySet
    columns: tuple[tuple[str, str], ...]
    url: Callable[[dict], str]
    order_by: tuple[str, ...] = ("-pk",)
    #: Extra values the row link needs (besides "pk").
    url_fields: tuple[str, ...] = ()
    #: How to show a column's stored value (a state's label instead of its code), page and CSV alike.
    display: dict[str, Callable[[object], object]] = field(default_factory=dict)

    def show(self, lookup: str, value: object) -> object:
        formatter = self.display.get(lookup)
        return formatter(value) if formatter is not None and value is not None else value


@dataclass(frozen=True)
class PracticeDashboard:
    key: str
    title: str
    build: Callable[[object], Board]
    records: Callable[[object, str, str], RecordList | None]
    order: int = 50
    description: str = ""
    #: Practice roles (besides managers, admins and team leads) that may open this board.
    roles: tuple[str, ...] = field(default_factory=tuple)
    #: `metric(scope, key)`: one figure's `metric` without building the whole board (the
    #: improvement register's before/after chart asks for one figure over two periods).
    metric: Callable[[object, str], float | None] | None = None


_boards: dict[str, PracticeDashboard] = {}


def register(board: PracticeDashboard) -> PracticeDashboard:
    """Add a practice dashboard (the latest registration of a key wins: re-imports are harmless)."""
    _boards[board.key] = board
    return board


def boards() -> list[PracticeDashboard]:
    return sorted(_boards.values(), key=lambda b: (b.order, b.key))


def get(key: str) -> PracticeDashboard | None:
    return _boards.get(key)


def url_names() -> list[tuple[str, dict]]:
    """(URL name, kwargs) of every practice view, for benchmarks that time each dashboard."""
    return [("dashboards:practice", {"practice": board.key}) for board in boards()]


def find_figure(board: Board, key: str) -> Figure | None:
    return next((figure for figure in board.figures if figure.key == key), None)


@dataclass(frozen=True)
class MetricSource:
    """Figures shown outside the practice boards (the service desk overview) that can be tracked:
    `labels` names each key, `compute(scope)` returns {key: value} with the page's selectors."""

    prefix: str
    title: str
    labels: dict[str, str]
    compute: Callable[[object], dict[str, float | None]]


_metric_sources: dict[str, MetricSource] = {}


def register_metrics(source: MetricSource) -> MetricSource:
    _metric_sources[source.prefix] = source
    return source


def metric_label(metric: str) -> str | None:
    """'changes.success_rate' → 'Changes: Success rate', or None for an unknown metric."""
    practice, _, key = metric.partition(".")
    if not key:
        return None
    source = _metric_sources.get(practice)
    if source is not None:
        return f"{source.title}: {source.labels[key]}" if key in source.labels else None
    dashboard = _boards.get(practice)
    if dashboard is None:
        return None
    return f"{dashboard.title}: {key.replace('_', ' ').capitalize()}"


def metric_value(metric: str, scope) -> float | None:
    """The figure `practice.key` computed over `scope` (None when unknown or nothing was measured)."""
    practice, _, key = metric.partition(".")
    source = _metric_sources.get(practice)
    if source is not None:
        return source.compute(scope).get(key) if key in source.labels else None
    dashboard = _boards.get(practice)
    if dashboard is None:
        return None
    if dashboard.metric is not None:
        return dashboard.metric(scope, key)
    figure = find_figure(dashboard.build(scope), key)
    return figure.metric if figure else None


def period_scope(scope, start: datetime, end: datetime):
    """The same filters over another period."""
    from dataclasses import replace

    return replace(scope, start=start, end=end)


def narrow(
    queryset: QuerySet,
    scope,
    *,
    team: str = "assignment_group_id",
    service: str = "service_id",
    priority: str | None = "priority",
) -> QuerySet:
    """Apply the scope's team, service and priority (not the period) to a practice's records."""
    if scope.teams and team:
        queryset = queryset.filter(**{f"{team}__in": scope.teams})
    if scope.service and service:
        queryset = queryset.filter(**{service: scope.service})
    if scope.priority and priority:
        queryset = queryset.filter(**{priority: scope.priority})
    return queryset


def in_period(field_name: str, scope) -> dict:
    """Lookups for `start <= field < end` (the half-open period every figure uses)."""
    return {f"{field_name}__gte": scope.start, f"{field_name}__lt": scope.end}


def priority_label(value) -> str:
    """'P1 - Critical' for 1; a drill-down display helper every task list can use."""
    from itsm.core.choices import Priority

    return Priority(value).label if value in Priority.values else str(value)


def percent(part: int, whole: int) -> float | None:
    """A share in percent with one decimal, or None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


def hours(value) -> float | None:
    """A duration as hours with one decimal (None stays None)."""
    return None if value is None else round(value.total_seconds() / 3600, 1)
