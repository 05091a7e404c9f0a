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
        cursor.execute(
            f"{_affected_services_cte()} SELECT node, MIN(depth) FROM svc GROUP BY node", [_pk(ci)]
        )
        return dict(cursor.fetchall())


def affected_cis(ci: ConfigurationItem | int, *, limit: int | None = None) -> list[ConfigurationItem]:
    """The CIs that need `ci`, nearest first, each with `impact_depth` (and `impact_total`,
    the count before `limit`). Two queries: the walk with the rows, and their owner teams."""
    cte = _walk_cte("up", CI_UP, _anchor(ConfigurationItem, 1))
    sql = (
        f"WITH RECURSIVE {cte}, "
        f"hit(node, depth) AS (SELECT node, MIN(depth) FROM up WHERE node <> %s GROUP BY node) "
        f"SELECT c.*, hit.depth AS impact_depth, COUNT(*) OVER () AS impact_total "
        f"FROM {_table(ConfigurationItem)} c JOIN hit ON hit.node = c.{_pk_column(ConfigurationItem)} "
        f"ORDER BY hit.depth, c.name"
    )
    return _load(ConfigurationItem, sql, [_pk(ci), _pk(ci)], limit)


def affected_services(ci: ConfigurationItem | int) -> list[Service]:
    """The services `ci` takes down if it fails, nearest first, each with `impact_depth`."""
    sql = (
        f"{_affected_services_cte()}, "
        f"hit(node, depth) AS (SELECT node, MIN(depth) FROM svc GROUP BY node) "
        f"SELECT s.*, hit.depth AS impact_depth "
        f"FROM {_table(Service)} s JOIN hit ON hit.node = s.{_pk_column(Service)} "
        f"ORDER BY hit.depth, s.criticality, s.name"
    )
    return _load(Service, sql, [_pk(ci)], None)


def dependencies(ci: ConfigurationItem | int, *, limit: int | None = None) -> list[ConfigurationItem]:
    """What `ci` needs, directly or transitively, nearest first, each with `impact_depth`."""
    cte = _walk_cte("down", CI_DOWN, _anchor(ConfigurationItem, 1))
    sql = (
        f"WITH RECURSIVE {cte}, "
        f"hit(node, depth) AS (SELECT node, MIN(depth) FROM down WHERE node <> %s GROUP BY node) "
        f"SELECT c.*, hit.depth AS impact_depth, COUNT(*) OVER () AS impact_total "
        f"FROM {_table(ConfigurationItem)} c JOIN hit ON hit.node = c.{_pk_column(ConfigurationItem)} "
        f"ORDER BY hit.depth, c.name"
    )
    return _load(ConfigurationItem, sql, [_pk(ci), _pk(ci)], limit)


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
    """Affected services (all) and affected CIs (the `ci_limit` nearest, with the total)."""
    cis = affected_cis(ci, limit=ci_limit)
    total = cis[0].impact_total if cis else 0
    return Impact(services=affected_services(ci), cis=cis, ci_total=total, ci_limit=ci_limit)


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


def _load(model: type[Model], sql: str, params: list, limit: int | None) -> list:
    if limit is not None:
        sql = f"{sql} LIMIT {int(limit)}"
    rows = list(model.objects.raw(sql, params))
    prefetch_related_objects(rows, "owner_team")
    return rows


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _pk_column(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.pk.column)


def _pk(obj: Model | int) -> int:
    return obj if isinstance(obj, int) else obj.pk
