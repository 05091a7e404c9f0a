"""Workspace filters behind the overview's SLA and CSAT figures, used by `core.filtersets.TaskFilterSet`.

Several query parameters describe one set of clocks (decided in a period, with a breach, of a
definition and target) or of ratings (of resolutions in a period): they narrow together, so a
drill-down lists exactly the records the figure counted.
"""

from datetime import UTC, datetime

from django.db.models import QuerySet

from itsm.dashboards.providers import incident_facts
from itsm.sla.models import SLAClock
from itsm.sla.selectors import decided_in

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def missed_clocks(
    after: datetime | None, before: datetime | None, definition: int | None = None, target: str | None = None
) -> QuerySet[SLAClock]:
    """Clocks decided in [after, before) with a recorded breach (what compliance counts as breached)."""
    clocks = decided_in(
        after or EARLIEST, before or LATEST, SLAClock.objects.filter(breached_at__isnull=False)
    )
    if definition:
        clocks = clocks.filter(definition_id=definition)
    if target:
        clocks = clocks.filter(target=target)
    return clocks


def narrow(queryset: QuerySet, data: dict) -> QuerySet:
    sla = [
        data.get(name) for name in ("sla_missed_after", "sla_missed_before", "sla_definition", "sla_target")
    ]
    if any(sla):
        queryset = queryset.filter(pk__in=missed_clocks(*sla).values("task_id"))
    after, before = data.get("rated_after"), data.get("rated_before")
    if after or before:
        facts = incident_facts()
        if facts is None:
            return queryset.none()
        ratings = facts.ratings().filter(resolved_at__gte=after or EARLIEST, resolved_at__lt=before or LATEST)
        queryset = queryset.filter(pk__in=ratings.values("task_id"))
    return queryset
