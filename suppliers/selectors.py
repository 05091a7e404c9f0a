"""Supplier performance for the supplier pages and dashboards: read-only, a fixed number of queries.

Per supplier or per contract, over the engagements opened in a period:
- engagements, and the distinct incidents engaged;
- underpinning SLA compliance: of the engagement clocks whose outcome is decided (stopped as
  met, or still open but breached; cancelled ones never count), the share met within target;
- mean time to supplier response and to supplier resolution (wall-clock, from engagement).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from itsm.core.choices import TaskKind
from itsm.sla.choices import ClockStage
from itsm.sla.models import SLAClock
from suppliers.models import SupplierEngagement

GROUPINGS = {"supplier": "supplier_id", "contract": "contract_id"}

#: Met within target: no breach recorded, and (should the sweep not have run before the clock
#: stopped) no more business time used than the target allowed.
WITHIN_TARGET = Q(breached_at__isnull=True, elapsed__lte=F("target_duration"))


@dataclass(frozen=True)
class Performance:
    """One supplier's (or contract's) figures."""

    engagements: int = 0
    incidents_engaged: int = 0
    clocks_decided: int = 0
    clocks_met: int = 0
    mean_response: timedelta | None = None
    mean_resolution: timedelta | None = None

    @property
    def compliance_percent(self) -> float | None:
        """Share of decided underpinning clocks met within target (None when none was decided)."""
        return round(100 * self.clocks_met / self.clocks_decided, 1) if self.clocks_decided else None


def _duration(end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F("opened_at"), output_field=DurationField())


def supplier_performance(
    *,
    by: str = "supplier",
    since: datetime | None = None,
    until: datetime | None = None,
    engagements: QuerySet[SupplierEngagement] | None = None,
) -> dict[int, Performance]:
    """Figures keyed by supplier id (or contract id), in two queries whatever the data size.

    `engagements` narrows the set (e.g. one supplier's); visibility is the caller's: these
    are staff figures, so pages call it for agents and above only.
    """
    if by not in GROUPINGS:
        raise ValueError(f"Group supplier performance by one of {', '.join(GROUPINGS)}, not {by!r}.")
    key = GROUPINGS[by]
    scope = SupplierEngagement.objects.all() if engagements is None else engagements
    # The kind narrows the Task side to engagement rows (index on kind): no scan of every task.
    scope = scope.filter(kind=TaskKind.SUPPLIER_ENGAGEMENT)
    if since is not None:
        scope = scope.filter(opened_at__gte=since)
    if until is not None:
        scope = scope.filter(opened_at__lt=until)
    rows = (
        scope.filter(**{f"{key}__isnull": False})
        .values(key=F(key))
        .annotate(
            engagements=Count("pk"),
            incidents=Count("record_id", filter=Q(record_kind=TaskKind.INCIDENT), distinct=True),
            mean_response=Avg(_duration("responded_at"), filter=Q(responded_at__isnull=False)),
            mean_resolution=Avg(_duration("resolved_at"), filter=Q(resolved_at__isnull=False)),
        )
        .order_by("key")
    )
    decided = Q(stage=ClockStage.MET) | Q(stage__in=ClockStage.open(), breached_at__isnull=False)
    clocks = (
        SLAClock.objects.filter(decided, task__in=scope.values("pk"))
        .values(key=F(f"task__supplierengagement__{key}"))
        .annotate(total=Count("pk"), met=Count("pk", filter=WITHIN_TARGET))
        .order_by("key")
    )
    outcome = {row["key"]: (row["total"], row["met"]) for row in clocks}
    return {
        row["key"]: Performance(
            engagements=row["engagements"],
            incidents_engaged=row["incidents"],
            clocks_decided=outcome.get(row["key"], (0, 0))[0],
            clocks_met=outcome.get(row["key"], (0, 0))[1],
            mean_response=_as_duration(row["mean_response"]),
            mean_resolution=_as_duration(row["mean_resolution"]),
        )
        for row in rows
    }


def _as_duration(value) -> timedelta | None:
    """Averages come back as timedelta on PostgreSQL and as microseconds on SQLite."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))
