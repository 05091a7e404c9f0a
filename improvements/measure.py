"""The before/after figure of an initiative's metric, from the dashboards' own selectors.

The metric is computed by the practice board that registered it (`itsm.dashboards.registry`),
with the filters it was read with, over the WINDOW before work on the initiative started (before
today while it has not started) and the WINDOW after the start (up to now). Constant cost: the
figure computed twice (a board with a `metric` function computes just that figure, others build).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from improvements.models import Initiative
from itsm.dashboards import charts, registry
from itsm.dashboards.selectors import Scope

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Comparison:
    label: str
    reference: datetime
    before: float | None
    after: float | None
    before_window: tuple[datetime, datetime]
    after_window: tuple[datetime, datetime] | None
    chart: dict | None


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def scope_for(initiative: Initiative, user, start: datetime, end: datetime) -> Scope:
    filters = initiative.metric_filters or {}
    team = _int(filters.get("team"))
    return Scope(
        user=user,
        start=start,
        end=end,
        teams=(team,) if team else (),
        service=_int(filters.get("service")),
        priority=_int(filters.get("priority")),
    )


def compare(initiative: Initiative, user, now: datetime | None = None) -> Comparison | None:
    """None when the initiative tracks no (known) figure."""
    label = registry.metric_label(initiative.metric) if initiative.metric else None
    if label is None:
        return None
    now = now or timezone.now()
    # Before: the window before work started (or before today while it has not started);
    # after: from the start of the work, up to WINDOW, once it has started.
    reference = initiative.started_at or now
    before_window = (reference - WINDOW, reference)
    before = registry.metric_value(initiative.metric, scope_for(initiative, user, *before_window))
    after_window, after = None, None
    if initiative.started_at and now > reference:
        after_window = (reference, min(reference + WINDOW, now))
        after = registry.metric_value(initiative.metric, scope_for(initiative, user, *after_window))
    chart = None
    if before is not None or after is not None:
        chart = charts.columns([(label, before or 0, after or 0)], ("Before", "After"), width=320, height=160)
    return Comparison(label, reference, before, after, before_window, after_window, chart)
