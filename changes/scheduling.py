"""The schedule side of a change: blackout windows, maintenance windows, collisions.

- `blackout_conflicts(change)`: occurrences of blackout windows overlapping the change's
  planned window, for everything or for its affected services and CIs (a window on a
  service covers the CIs delivering it). The Schedule transition refuses a change with
  conflicts unless a change manager recorded an override.
- `outside_maintenance(change)`: whether part of the planned window lies outside every
  maintenance window that applies to the change (flagged, not refused). A change to which
  no maintenance window applies at all is not flagged: there is no regime to be outside.
- `find_collisions(change)`: other active changes whose planned windows overlap this one
  and that touch the same CI, a CI within N hops of the CMDB graph, the same service, or
  have the same assignee; each with the path of CI names that connects them.

Collision search, in a fixed number of queries whatever the size of the CMDB:
1. the other active changes overlapping the window (index on planned start/end);
2. their CIs, services and assignees (two through-table reads);
3. one walk of the graph from this change's CIs, at most `hops` steps over the
   relationships in which one CI needs another (`NEEDS`), in either direction, stopping
   at the CIs of step 2. On PostgreSQL a recursive CTE carries each path as an array
   (so it never revisits a node on one path, and the first-found shortest path per target
   is kept with DISTINCT ON); on SQLite a breadth-first walk with one query per hop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection

from changes.models import Change
from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service
from itsm.core.choices import StateCategory
from itsm.maintenance.choices import WindowKind
from itsm.maintenance.services import (
    Scope,
    WindowOccurrence,
    occurrences_between,
    scope_of,
    uncovered_by_maintenance,
)

__all__ = [
    "NEEDS",
    "Collision",
    "CollisionKind",
    "blackout_conflicts",
    "change_scope",
    "find_collisions",
    "maintenance_gaps",
    "outside_maintenance",
    "schedule_report",
    "ScheduleReport",
]

#: Relationship kinds in which the source needs the target to run: a change to either end
#: can break the other. "Connects to" is a network peer, not a need, so it is not followed.
NEEDS = (RelationshipKind.DEPENDS_ON, RelationshipKind.RUNS_ON, RelationshipKind.HOSTED_ON)


class CollisionKind:
    SAME_CI = "same_ci"
    RELATED_CI = "related_ci"
    SAME_SERVICE = "same_service"
    SAME_ASSIGNEE = "same_assignee"

    LABELS = {
        SAME_CI: "Same configuration item",
        RELATED_CI: "Related configuration item",
        SAME_SERVICE: "Same service",
        SAME_ASSIGNEE: "Assignee double-booked",
    }
    COLOURS = {SAME_CI: "red", RELATED_CI: "orange", SAME_SERVICE: "amber", SAME_ASSIGNEE: "blue"}
    ORDER = (SAME_CI, RELATED_CI, SAME_SERVICE, SAME_ASSIGNEE)


@dataclass(frozen=True)
class Collision:
    """Another change overlapping this one in time, and what connects them.

    `path` is the chain of CI names from this change's CI to the other change's CI (one
    name for the same CI); `via` names the shared service or the double-booked person.
    """

    kind: str
    other_id: int
    other_number: str
    other_title: str
    other_state: str
    other_start: datetime
    other_end: datetime
    path: tuple[str, ...] = field(default=())
    via: str = ""

    @property
    def label(self) -> str:
        return CollisionKind.LABELS[self.kind]

    @property
    def colour(self) -> str:
        return CollisionKind.COLOURS[self.kind]

    @property
    def hops(self) -> int:
        return max(len(self.path) - 1, 0)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "change": {
                "id": self.other_id,
                "number": self.other_number,
                "title": self.other_title,
                "state": self.other_state,
                "planned_start": self.other_start.isoformat(),
                "planned_end": self.other_end.isoformat(),
            },
            "path": list(self.path),
            "hops": self.hops,
            "via": self.via,
        }


# --- windows -----------------------------------------------------------------------------


def change_scope(change: Change) -> Scope:
    """The services and CIs a change touches (the CIs' services added), for window lookups."""
    return scope_of(_ids(change, "affected_services"), _ids(change, "affected_cis"))


def blackout_conflicts(change: Change) -> list[WindowOccurrence]:
    """Blackout occurrences overlapping the planned window, in its scope (empty without a window)."""
    if not _has_window(change):
        return []
    return occurrences_between(
        change.planned_start, change.planned_end, kind=WindowKind.BLACKOUT, scope=change_scope(change)
    )


def maintenance_gaps(change: Change) -> list[tuple[datetime, datetime]]:
    """The parts of the planned window outside the maintenance windows that apply to the change.

    Empty when the change is fully inside them, and when no maintenance window applies to
    its scope at all (nothing to be outside of).
    """
    if not _has_window(change):
        return []
    scope = change_scope(change)
    if not _maintenance_applies(scope):
        return []
    return uncovered_by_maintenance(change.planned_start, change.planned_end, scope=scope)


def outside_maintenance(change: Change) -> bool:
    """Whether the change is planned (partly) outside its maintenance windows: flagged, not refused."""
    return bool(maintenance_gaps(change))


def _maintenance_applies(scope: Scope) -> bool:
    from itsm.maintenance.models import MaintenanceWindow

    windows = MaintenanceWindow.objects.active().of_kind(WindowKind.MAINTENANCE)
    return windows.scoped_to(scope.service_ids, scope.ci_ids).exists()


# --- collisions --------------------------------------------------------------------------


def find_collisions(
    change: Change,
    *,
    hops: int | None = None,
    user: User | AnonymousUser | None = None,
) -> list[Collision]:
    """Active changes overlapping `change` in time that share a CI, a nearby CI, a service or
    the assignee, nearest first. `hops` defaults to `settings.CHANGE_COLLISION_HOPS` (read
    at call time); with `user`, only changes that person may see are reported.
    """
    if not _has_window(change):
        return []
    hops = settings.CHANGE_COLLISION_HOPS if hops is None else max(int(hops), 0)
    others = _overlapping(change, user)
    if not others:
        return []
    by_id = {other.pk: other for other in others}
    other_cis = _pairs(Change.affected_cis.through, "configurationitem_id", by_id)
    other_services = _pairs(Change.affected_services.through, "service_id", by_id)
    mine_cis = set(_ids(change, "affected_cis"))
    mine_services = set(_ids(change, "affected_services"))

    found: list[Collision] = []
    found += _ci_collisions(by_id, other_cis, mine_cis, hops)
    found += _service_collisions(by_id, other_services, mine_services)
    if change.assignee_id:
        found += [
            _collision(CollisionKind.SAME_ASSIGNEE, other, via=_person(other.assignee))
            for other in others
            if other.assignee_id == change.assignee_id
        ]
    rank = {kind: index for index, kind in enumerate(CollisionKind.ORDER)}
    return sorted(found, key=lambda c: (rank[c.kind], c.hops, c.other_start, c.other_number))


#: What the collision check reads from the change: a save touching none of it needs no check.
COLLISION_FIELDS = frozenset(
    {"planned_start", "planned_end", "affected_cis", "affected_services", "assignee"}
)


def collisions_on_save(
    change: Change, *, user: User | AnonymousUser | None, changed: Iterable[str] | None = None
) -> list[Collision] | None:
    """The collisions a create or edit just caused, or None when the save left the window,
    scope and assignee alone (`changed` = the saved field names; None for a new change).

    Run after the save's transaction, so the save itself is not held up; it costs one check.
    """
    if changed is not None and not COLLISION_FIELDS.intersection(changed):
        return None
    return find_collisions(change, user=user)


def collision_summary(change: Change, collisions: list[Collision] | None) -> dict:
    """What the API adds to a create or update response: whether the check ran, how many
    collisions it found, and each one (as the collision check endpoint shows them)."""
    if collisions is None:
        return {"checked": False, "has_window": _has_window(change), "count": None, "items": []}
    return {
        "checked": True,
        "has_window": _has_window(change),
        "count": len(collisions),
        "items": [collision.as_dict() for collision in collisions],
    }


def collision_sentence(collisions: list[Collision]) -> str:
    """The message shown after a save on the change page."""
    if not collisions:
        return "No collisions with other changes in this window."
    numbers = ", ".join(dict.fromkeys(collision.other_number for collision in collisions))
    count = len(collisions)
    return f"{count} collision{'s' if count != 1 else ''} with changes planned at the same time: {numbers}."


def _overlapping(change: Change, user: User | AnonymousUser | None) -> list[Change]:
    """Other active changes whose planned window overlaps this one's. One query."""
    others = (
        Change.objects.filter(state_category__in=StateCategory.active())
        .scheduled_between(change.planned_start, change.planned_end)
        .exclude(pk=change.pk)
        .select_related("assignee")
        .only(
            "number",
            "title",
            "state",
            "planned_start",
            "planned_end",
            "assignee_id",
            "assignee__first_name",
            "assignee__last_name",
            "assignee__username",
        )
    )
    if user is not None:
        others = others.visible_to(user)
    return list(others)


def _ci_collisions(
    by_id: dict[int, Change], other_cis: dict[int, set[int]], mine: set[int], hops: int
) -> list[Collision]:
    """Same-CI and nearby-CI collisions: one shortest path per (other change)."""
    targets = set().union(*other_cis.values()) if other_cis else set()
    if not mine or not targets:
        return []
    paths = shortest_paths(mine, targets, hops)
    if not paths:
        return []
    on_paths = {node for path in paths.values() for node in path}
    names = dict(ConfigurationItem.objects.filter(pk__in=on_paths).values_list("pk", "name"))
    found = []
    for other_id, cis in other_cis.items():
        reached = [paths[ci] for ci in cis if ci in paths]
        if not reached:
            continue
        best = min(reached, key=lambda path: (len(path), [names.get(node, "") for node in path]))
        kind = CollisionKind.SAME_CI if len(best) == 1 else CollisionKind.RELATED_CI
        path = tuple(names.get(node, f"#{node}") for node in best)
        found.append(_collision(kind, by_id[other_id], path=path))
    return found


def _service_collisions(
    by_id: dict[int, Change], other_services: dict[int, set[int]], mine: set[int]
) -> list[Collision]:
    shared_ids = {other_id: services & mine for other_id, services in other_services.items()}
    shared_ids = {other_id: ids for other_id, ids in shared_ids.items() if ids}
    if not shared_ids:
        return []
    names = dict(Service.objects.filter(pk__in=set().union(*shared_ids.values())).values_list("pk", "name"))
    return [
        _collision(CollisionKind.SAME_SERVICE, by_id[other_id], via=", ".join(sorted(names[i] for i in ids)))
        for other_id, ids in shared_ids.items()
    ]


def _collision(kind: str, other: Change, *, path: tuple[str, ...] = (), via: str = "") -> Collision:
    return Collision(
        kind=kind,
        other_id=other.pk,
        other_number=other.number,
        other_title=other.title,
        other_state=other.state,
        other_start=other.planned_start,
        other_end=other.planned_end,
        path=path,
        via=via,
    )


# --- the graph walk ------------------------------------------------------------------------


def shortest_paths(starts: Iterable[int], targets: Iterable[int], hops: int) -> dict[int, tuple[int, ...]]:
    """For each target CI reachable from a start within `hops` steps (either direction over
    `NEEDS` relationships), one shortest path of CI ids from a start to it."""
    start_ids, target_ids = sorted(set(starts)), sorted(set(targets))
    if not start_ids or not target_ids:
        return {}
    if connection.vendor == "postgresql":
        return _paths_postgresql(start_ids, target_ids, hops)
    return _paths_breadth_first(start_ids, set(target_ids), hops)


def _paths_postgresql(starts: list[int], targets: list[int], hops: int) -> dict[int, tuple[int, ...]]:
    sql, params = paths_sql(starts, targets, hops)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {node: tuple(path) for node, path in cursor.fetchall()}


def paths_sql(starts: list[int], targets: list[int], hops: int) -> tuple[str, dict]:
    """The PostgreSQL walk (also for EXPLAIN): one recursive CTE in which paths grow one hop
    per step in either direction, never revisiting a node on the same path; one shortest
    path per target is kept (ties: the smallest ids).

    The neighbours of each node come from a LATERAL pair of index scans (source side, then
    target side), so a step costs a few index probes per node on the frontier; a join on a
    UNION of the whole edge table would be planned as a hash join over every edge.
    """
    table = connection.ops.quote_name(CIRelationship._meta.db_table)
    sql = f"""
        WITH RECURSIVE walk(node, path) AS (
            SELECT id, ARRAY[id] FROM unnest(%(starts)s::bigint[]) AS id
            UNION ALL
            SELECT near.far, w.path || near.far
            FROM walk w CROSS JOIN LATERAL (
                SELECT e.target_id AS far FROM {table} e
                WHERE e.source_id = w.node AND e.kind = ANY(%(kinds)s)
                UNION ALL
                SELECT e.source_id FROM {table} e
                WHERE e.target_id = w.node AND e.kind = ANY(%(kinds)s)
            ) near
            WHERE cardinality(w.path) <= %(hops)s AND NOT near.far = ANY(w.path)
        )
        SELECT DISTINCT ON (node) node, path FROM walk
        WHERE node = ANY(%(targets)s::bigint[])
        ORDER BY node, cardinality(path), path
    """
    return sql, {"kinds": list(NEEDS), "starts": starts, "targets": targets, "hops": hops}


def _paths_breadth_first(starts: list[int], targets: set[int], hops: int) -> dict[int, tuple[int, ...]]:
    """Level by level, one query per hop; a node's first-found path is a shortest one."""
    parent: dict[int, int | None] = dict.fromkeys(starts)
    frontier = set(starts)
    for _ in range(hops):
        if not frontier:
            break
        edges = CIRelationship.objects.filter(kind__in=NEEDS).values_list("source_id", "target_id")
        step: set[int] = set()
        touching = edges.filter(source_id__in=frontier).union(edges.filter(target_id__in=frontier))
        for source, target in sorted(touching):
            for near, far in ((source, target), (target, source)):
                if near in frontier and far not in parent:
                    parent[far] = near
                    step.add(far)
        frontier = step
    return {target: _path_to(target, parent) for target in targets if target in parent}


def _path_to(node: int, parent: dict[int, int | None]) -> tuple[int, ...]:
    path = [node]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return tuple(reversed(path))


# --- helpers ---------------------------------------------------------------------------------


def _has_window(change: Change) -> bool:
    return bool(change.planned_start and change.planned_end and change.planned_end > change.planned_start)


def _ids(change: Change, relation: str) -> list[int]:
    """Ids of a many-to-many relation, from a prefetch when the caller made one."""
    cache = getattr(change, "_prefetched_objects_cache", {})
    if relation in cache:
        return [item.pk for item in cache[relation]]
    if change.pk is None:
        return []
    return list(getattr(change, relation).values_list("pk", flat=True))


def _pairs(through, column: str, by_id: dict[int, Change]) -> dict[int, set[int]]:
    """change id -> ids on the other side of a through table, for the given changes."""
    found: dict[int, set[int]] = {}
    rows = through.objects.filter(change_id__in=list(by_id)).values_list("change_id", column)
    for change_id, other in rows:
        found.setdefault(change_id, set()).add(other)
    return found


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- the schedule panel ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleReport:
    """Everything the record page's schedule panel and the API show about a change's window."""

    collisions: list[Collision]
    blackouts: list[WindowOccurrence]
    maintenance_gaps: list[tuple[datetime, datetime]]
    hops: int
    has_window: bool

    @property
    def outside_maintenance(self) -> bool:
        return bool(self.maintenance_gaps)

    def as_dict(self) -> dict:
        return {
            "has_window": self.has_window,
            "hops": self.hops,
            "collisions": [collision.as_dict() for collision in self.collisions],
            "blackouts": [occurrence.as_dict() for occurrence in self.blackouts],
            "outside_maintenance": self.outside_maintenance,
            "maintenance_gaps": [
                {"start": start.isoformat(), "end": end.isoformat()} for start, end in self.maintenance_gaps
            ],
        }


def schedule_report(
    change: Change, *, user: User | AnonymousUser | None = None, hops: int | None = None
) -> ScheduleReport:
    """Collisions (those `user` may see), blackout conflicts and maintenance gaps, checked now."""
    hops = settings.CHANGE_COLLISION_HOPS if hops is None else max(int(hops), 0)
    return ScheduleReport(
        collisions=find_collisions(change, hops=hops, user=user),
        blackouts=blackout_conflicts(change),
        maintenance_gaps=maintenance_gaps(change),
        hops=hops,
        has_window=_has_window(change),
    )
