"""The service desk overview's period figures, made trackable by the improvement register.

Registered with `registry.register_metrics` from `DashboardsConfig.ready()`; the values come
from the overview's own selectors, so a before/after chart counts what the overview counts.
"""

from itsm.dashboards import registry, selectors

LABELS = {
    "opened": "Incidents opened",
    "resolved": "Incidents resolved",
    "open_now": "Open incidents",
}


def overview_metrics(scope) -> dict[str, float | None]:
    totals = selectors.period_totals(scope)
    return {key: totals[key] for key in LABELS}


def register() -> None:
    registry.register_metrics(
        registry.MetricSource(
            prefix="incidents", title="Service desk", labels=LABELS, compute=overview_metrics
        )
    )
