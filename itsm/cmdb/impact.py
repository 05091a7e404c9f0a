"""Impact analysis: walking the CMDB graph upwards (who needs this?) and downwards (what does it need?).

Every walk is ONE `WITH RECURSIVE ... UNION` statement, whatever the size of the graph, so a
switch that 50,000 CIs stand on costs one round trip, not one query per node or per level.
The same SQL runs on PostgreSQL and SQLite (both evaluate the recursive member breadth
first and drop rows already produced, because of `UNION`).

Rows of a walk are `(node, depth)`. `UNION` removes a row only when both values repeat, so a
node reached along paths of different lengths appears once per length; the outer query
keeps the minimum. `depth < MAX_DEPTH` bounds the walk even if a cycle slipped into the
data behind the services' back (a bulk SQL load, a restored dump): the query then ends
after MAX_DEPTH levels instead of running forever. A real CMDB is a handful of levels
deep, so the guard never cuts a legitimate walk short.

Depth counts hops: 0 is the CI itself, 1 a CI that needs it directly or a service it is a
component of, and each step to a CI above, or to a service depending on a service, adds 1.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Model, prefetch_related_objects

from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent, ServiceDependency

#: The most hops any walk follows (see the module docstring).
MAX_DEPTH = 64
#: How many affected CIs `impact_of` loads by default; the total is always counted.
DEFAULT_CI_LIMIT = 200


@dataclass(frozen=True)
class Edges:
    """One direction of a graph table: the walk moves from `near` to `far` on each row.

    `nodes` is the model both columns point at.
    """

    model: type[Model]
    nodes: type[Model]
    near: str
    far: str

    @property
    def table(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    def column(self, name: str) -> str:
        return connection.ops.quote_name(self.model._meta.get_field(name).column)


#: "Who needs X": from a relationship's target to its source.
CI_UP = Edges(CIRelationship, ConfigurationItem, near="target", far="source")
#: "What X needs": from a relationship's source to its target.
CI_DOWN = Edges(CIRelationship, ConfigurationItem, near="source", far="target")
#: "Which services need service X".
SERVICE_UP = Edges(ServiceDependency, Service, near="depends_on", far="service")
#: "Which services service X needs".
SERVICE_DOWN = Edges(ServiceDependency, Service, near="service", far="depends_on")


def _walk_cte(name: str, edges: Edges, anchor_sql: str, *, skip_edge: bool = False) -> str:
    """`name(node, depth) AS (anchor UNION one more hop)`, for a WITH RECURSIVE clause.

    `skip_edge` leaves one row (by primary key, passed as a parameter after the anchor's)
    out of the walk: an edit replaces that edge, so it must not count as a path.
    """
    skip = f" AND e.{_pk_column(edges.model)} <> %s" if skip_edge else ""
    return (
        f"{name}(node, depth) AS ("
        f"{anchor_sql} "
        f"UNION "
        f"SELECT e.{edges.column(edges.far)}, w.depth + 1 "
        f"FROM {edges.table} e JOIN {name} w ON e.{edges.column(edges.near)} = w.node "
        f"WHERE w.depth < {MAX_DEPTH}{skip})"
    )


def _anchor(model: type[Model], count: int) -> str:
    """Depth-0 rows: the given primary keys (only those that exist)."""
    placeholders = ", ".join(["%s"] * count)
    return f"SELECT {_pk_column(model)}, 0 FROM {_table(model)} WHERE {_pk_column(model)} IN ({placeholders})"


def closure(edges: Edges, starts: Iterable[int], *, skip_edge: int | None = None) -> dict[int, int]:
    """Every node reachable from `starts` along `edges` (the starts included, at depth 0),
    mapped to its minimal depth. One query."""
    start_ids = sorted(set(starts))
    if not start_ids:
        return {}
    cte = _walk_cte("walk", edges, _anchor(edges.nodes, len(start_ids)), skip_edge=skip_edge is not None)
    params = [*start_ids, *([skip_edge] if skip_edge is not None else [])]
    sql = f"WITH RECURSIVE {cte} SELECT node, MIN(depth) FROM walk GROUP BY node"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def path_exists(
    edges: Edges,
    start: int,
    goal: int,
    *,
    extra_edges: Iterable[tuple[int, int]] = (),
    skip_edge: int | None = None,
) -> bool:
    """Whether `goal` is reachable from `start` along `edges` plus `extra_edges`.

    `extra_edges` are (near, far) pairs not saved yet (the other rows of a form or a batch);
    each one that the walk reaches extends it with one more query, so a check costs at most
    one query per extra edge plus one.
    """
    pending = [edge for edge in extra_edges if edge[0] != edge[1]]
    reached = set(closure(edges, [start], skip_edge=skip_edge)) | {start}
    while goal not in reached:
        frontier = {far for near, far in pending if near in reached and far not in reached}
        if not frontier:
            return False
        reached |= set(closure(edges, frontier, skip_edge=skip_edge)) | frontier
    return True


def affected_ci_depths(ci: ConfigurationItem | int) -> dict[int, int]:
    """Id -> minimal depth of every CI that needs `ci`, directly or transitively (not `ci`)."""
    ci_id = _pk(ci)
    depths = closure(CI_UP, [ci_id])
    depths.pop(ci_id, None)
    return depths


def affected_service_depths(ci: ConfigurationItem | int) -> dict[int, int]:
    """Id -> minimal depth of every service that `ci` (or a CI needing it) is a component of,
    and of every service depending on those, transitively. One query."""
    with connection.cursor() as cursor:
        cursor.execute(affected_service_depths_sql(), [_pk(ci)])
        return dict(cursor.fetchall())


def affected_service_depths_sql() -> str:
    """The statement behind `affected_service_depths` (one parameter: the CI's id), for EXPLAIN."""
    return f"{_affected_services_cte()} SELECT node, MIN(depth) FROM svc GROUP BY node"


def affected_cis(ci: ConfigurationItem | int, *, limit: int | None = None) -> list[ConfigurationItem]:
    """The CIs that need `ci`, nearest first, each with `impact_depth` (and `impact_total`,
    the count before `limit`). Two queries: the walk with the rows, and their owner teams."""
    return _walk_rows(CI_UP, ci, limit)


def affected_services(ci: ConfigurationItem | int) -> list[Service]:
    """The services `ci` takes down if it fails, nearest first, each with `impact_depth`."""
    sql = (
        f"{_affected_services_cte()}, "
        f"hit(node, depth) AS (SELECT node, MIN(depth) FROM svc GROUP BY node) "
        f"SELECT s.*, hit.depth AS impact_depth "
        f"FROM {_table(Service)} s JOIN hit ON hit.node = s.{_pk_column(Service)} "
        f"ORDER BY hit.depth, s.criticality, s.name"
    )
    return _load(Service, sql, [_pk(ci)])


def dependencies(ci: ConfigurationItem | int, *, limit: int | None = None) -> list[ConfigurationItem]:
    """What `ci` needs, directly or transitively, nearest first, each with `impact_depth`."""
    return _walk_rows(CI_DOWN, ci, limit)


def _walk_rows(edges: Edges, ci: ConfigurationItem | int, limit: int | None) -> list[ConfigurationItem]:
    """The CIs a walk from `ci` reaches (not `ci`), by depth then name, with the total count.

    With a limit, the nearest rows are picked from the walk's ids (by depth, then id) before
    any CI row is read, so a switch that 80,000 CIs need reads 50 rows, not 80,000.
    """
    cte = _walk_cte("walk", edges, _anchor(ConfigurationItem, 1))
    pk = _pk_column(ConfigurationItem)
    picked = (
        "hit" if limit is None else f"(SELECT node, depth FROM hit ORDER BY depth, node LIMIT {int(limit)})"
    )
    sql = (
        f"WITH RECURSIVE {cte}, "
        f"hit(node, depth) AS (SELECT node, MIN(depth) FROM walk WHERE node <> %s GROUP BY node) "
        f"SELECT c.*, top.depth AS impact_depth, (SELECT COUNT(*) FROM hit) AS impact_total "
        f"FROM {_table(ConfigurationItem)} c JOIN {picked} top ON top.node = c.{pk} "
        f"ORDER BY top.depth, c.name"
    )
    return _load(ConfigurationItem, sql, [_pk(ci), _pk(ci)])


@dataclass
class Impact:
    """What a CI's failure reaches: every affected service, and the nearest affected CIs."""

    services: list[Service]
    cis: list[ConfigurationItem]
    ci_total: int
    ci_limit: int = field(default=DEFAULT_CI_LIMIT)

    @property
    def truncated(self) -> bool:
        return self.ci_total > len(self.cis)


def impact_of(ci: ConfigurationItem | int, *, ci_limit: int = DEFAULT_CI_LIMIT) -> Impact:
    """Affected services (all) and affected CIs (the `ci_limit` nearest, with the total).

    One walk serves both lists (a CI page would otherwise walk a core switch's 80,000
    dependants twice), then one query per model loads the rows it names.
    """
    ci_id = _pk(ci)
    sql = (
        f"{_affected_services_cte()} "
        f"SELECT 's', node, MIN(depth), 0 FROM svc GROUP BY node "
        f"UNION ALL "
        f"SELECT 'c', node, depth, (SELECT COUNT(*) FROM ci_hit) - 1 FROM (SELECT node, depth FROM ci_hit "
        f"WHERE node <> %s ORDER BY depth, node LIMIT {int(ci_limit)}) nearest"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ci_id, ci_id])
        rows = cursor.fetchall()
    depths = {kind: {node: depth for row_kind, node, depth, _ in rows if row_kind == kind} for kind in "sc"}
    total = next((count for kind, _node, _depth, count in rows if kind == "c"), 0)
    services = _with_depths(Service, depths["s"], ("criticality", "name"))
    cis = _with_depths(ConfigurationItem, depths["c"], ("name",))
    return Impact(services=services, cis=cis, ci_total=total, ci_limit=ci_limit)


def _with_depths(model: type[Model], depths: dict[int, int], tie_breakers: tuple[str, ...]) -> list:
    """The rows of `model` with these ids, each with `impact_depth`, nearest first."""
    rows = list(model.objects.filter(pk__in=list(depths)).select_related("owner_team")) if depths else []
    for row in rows:
        row.impact_depth = depths[row.pk]
    return sorted(rows, key=lambda row: (row.impact_depth, *(getattr(row, name) for name in tie_breakers)))


def _affected_services_cte() -> str:
    """WITH RECURSIVE up (CIs needing the CI, parameter 1), ci_hit, svc (services above them)."""
    component = ServiceComponent._meta
    comp_table = connection.ops.quote_name(component.db_table)
    comp_service = connection.ops.quote_name(component.get_field("service").column)
    comp_ci = connection.ops.quote_name(component.get_field("configuration_item").column)
    up = _walk_cte("up", CI_UP, _anchor(ConfigurationItem, 1))
    svc = _walk_cte(
        "svc",
        SERVICE_UP,
        f"SELECT sc.{comp_service}, ci_hit.depth + 1 "
        f"FROM {comp_table} sc JOIN ci_hit ON sc.{comp_ci} = ci_hit.node",
    )
    return (
        f"WITH RECURSIVE {up}, ci_hit(node, depth) AS (SELECT node, MIN(depth) FROM up GROUP BY node), {svc}"
    )


def _load(model: type[Model], sql: str, params: list) -> list:
    rows = list(model.objects.raw(sql, params))
    prefetch_related_objects(rows, "owner_team")
    return rows


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pk_column(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.pk.column)


def _pk(obj: Model | int) -> int:
    return obj if isinstance(obj, int) else obj.pk
