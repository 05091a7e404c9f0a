"""Read-only queries over clocks for dashboards and lists; visibility is the caller's queryset.

Compliance counts the clocks whose outcome was decided in the period: clocks that stopped
as met in it (within target, or late when a breach had been recorded) and clocks still open
that breached in it. Cancelled clocks never count.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from itsm.core.models import Task
from itsm.sla.choices import ClockStage, Target
from itsm.sla.models import SLAClock

#: What compliance can be grouped by: the key's id and label columns.
COMPLIANCE_DIMENSIONS: dict[str, tuple[str, str]] = {
    "definition": ("definition_id", "definition__name"),
    "group": ("group_id", "group_name"),
    "service": ("task__service_id", "task__service__name"),
    "priority": ("task__priority", "task__priority"),
    "target": ("target", "target"),
}


def decided_in(
    start: datetime, end: datetime, clocks: QuerySet[SLAClock] | None = None
) -> QuerySet[SLAClock]:
    """Clocks whose outcome was decided in [start, end)."""
    clocks = SLAClock.objects.all() if clocks is None else clocks
    stopped = Q(stage=ClockStage.MET, stopped_at__gte=start, stopped_at__lt=end)
    breached_open = Q(stage__in=ClockStage.open(), breached_at__gte=start, breached_at__lt=end)
    return clocks.filter(stopped | breached_open)


def compliance(
    *,
    by: str,
    start: datetime,
    end: datetime,
    clocks: QuerySet[SLAClock] | None = None,
    targets: Iterable[str] = (),
) -> QuerySet:
    """Rows of `{"key", "label", "met", "breached", "total"}` per definition, group, service, etc.

    Pass `clocks=SLAClock.objects.visible_to(user)` to respect visibility. The group of a
    clock is its OLA group, else the task's current assignment group. `met` counts clocks
    met within target; `breached` every clock with a recorded breach.
    """
    if by not in COMPLIANCE_DIMENSIONS:
        raise ValueError(f"Group compliance by one of {', '.join(COMPLIANCE_DIMENSIONS)}, not {by!r}.")
    key, label = COMPLIANCE_DIMENSIONS[by]
    queryset = decided_in(start, end, clocks)
    targets = list(targets)
    if targets:
        queryset = queryset.filter(target__in=targets)
    if by == "group":
        queryset = queryset.annotate(
            group_id=Coalesce("team_id", "task__assignment_group_id"),
            group_name=Coalesce("team__name", "task__assignment_group__name"),
        )
    return (
        queryset.values(key=F(key), label=F(label))
        .annotate(
            met=Count("pk", filter=Q(breached_at__isnull=True)),
            breached=Count("pk", filter=Q(breached_at__isnull=False)),
            total=Count("pk"),
        )
        .order_by("key")
    )


def compliance_percent(row: dict) -> float | None:
    """Share of clocks met within target, in percent (None when nothing was decided)."""
    return round(100 * row["met"] / row["total"], 1) if row["total"] else None


def nearest_clocks(task_ids: Iterable[int]) -> dict[int, SLAClock]:
    """The running clock with the earliest due time per task, for queue badges (one query)."""
    rows = (
        SLAClock.objects.filter(task_id__in=list(task_ids), stage=ClockStage.RUNNING)
        .select_related("definition")
        .order_by("task_id", "due_at")
    )
    nearest: dict[int, SLAClock] = {}
    for clock in rows:
        nearest.setdefault(clock.task_id, clock)
    return nearest


def expectations(task: Task) -> dict[str, datetime | None]:
    """When the requester can expect a response and a resolution (the portal's promise).

    `{"response": due_at, "resolution": due_at}` for each open clock (None while paused);
    a target without an open clock is left out.
    """
    rows = (
        SLAClock.objects.open()
        .filter(task_id=task.pk, target__in=[Target.RESPONSE, Target.RESOLUTION])
        .values_list("target", "due_at")
    )
    return dict(rows)


def tasks_at_risk(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with an open clock past a warning threshold and not breached (the queue's "at risk")."""
    return tasks.filter(pk__in=SLAClock.objects.at_risk().values("task_id"))


def tasks_breached(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with an open clock whose breach is recorded (the queue's "breached")."""
    return tasks.filter(pk__in=SLAClock.objects.open().breached().values("task_id"))
