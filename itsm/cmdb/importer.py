"""CSV import of configuration items and their relationships: all or nothing.

Every row of both files is checked before anything is written, and every problem found is
reported as (file, row, column, message), so one run shows everything to fix. Only a file
without problems is written, in one transaction, with bulk statements (a 10,000-row file
takes seconds, not minutes).

CI file (`--cis`), one row per CI, keyed by `name`:
    name, class, status, environment, owner_team, description, services, attr.<key>...
  - A name already in the CMDB updates that CI; a blank cell keeps its value (a new CI gets
    the default; `class` is required for new CIs). `attr.<key>` cells are merged into the
    free attributes. `services` lists service names separated by `;`; the CI is added to
    each as a component (existing components are kept). Choices accept value or label.
Relationship file (`--relationships`): source, kind, target, by CI name, from the CMDB or
  the CI file. A relationship already recorded is left alone. An edge that would close a
  cycle (through the CMDB's edges and the file's) is a problem, like any other.

Row numbers are spreadsheet rows: the header is row 1.
"""

import csv
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone

from itsm.cmdb.choices import CIClass, CIStatus, Environment, RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent
from itsm.cmdb.services import Graph, lock_graph
from itsm.core.models import Team

#: `progress(stage, done, total)`, called as rows are checked and written.
Progress = Callable[[str, int, int], None]

CI_COLUMNS = frozenset({"name", "class", "status", "environment", "owner_team", "description", "services"})
RELATIONSHIP_COLUMNS = ("source", "kind", "target")
ATTRIBUTE_PREFIX = "attr."
NAME_MAX = ConfigurationItem._meta.get_field("name").max_length
BATCH = 1000
#: Lookups by name go in chunks, below every database's limit on query parameters.
LOOKUP_CHUNK = 900
#: Fields an update may change (with `updated_at`, set by hand: bulk_update skips auto_now).
UPDATABLE = ("ci_class", "status", "environment", "owner_team_id", "description", "attributes")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import found and did; nothing is written when `problems` is not empty."""

    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    components_added: int = 0
    relationships_created: int = 0
    relationships_existing: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CIRow:
    row: int
    name: str
    values: dict[str, object]
    attributes: dict[str, str]
    services: list[Service]


@dataclass
class EdgeRow:
    row: int
    source: str
    kind: str
    target: str


def import_cmdb(
    cis: TextIO | None,
    relationships: TextIO | None = None,
    *,
    cis_label: str = "cis.csv",
    relationships_label: str = "relationships.csv",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check both files; unless there is a problem or `dry_run`, write them in one transaction.

    The CI graph's writer lock is held from the first check to the commit, so the cycle
    check still holds when the edges are written.
    """
    run = _Import(progress or (lambda stage, done, total: None), dry_run=dry_run)
    with transaction.atomic():
        if not dry_run:
            lock_graph(Graph.CI)
        if cis is not None:
            run.read_cis(cis, cis_label)
        if relationships is not None:
            run.read_relationships(relationships, relationships_label)
        if run.result.ok:
            run.plan()
            if not dry_run:
                run.write()
    return run.result


class _Import:
    """One import: the reference data it resolves names against, the rows, and the result."""

    def __init__(self, progress: Progress, *, dry_run: bool) -> None:
        self.progress = progress
        self.result = ImportResult(dry_run=dry_run)
        self.teams = _by_key(Team.objects.all(), lambda team: (team.name, team.slug))
        self.services = _by_key(Service.objects.all(), lambda service: (service.name,))
        self.rows: list[CIRow] = []
        self.ci_names: set[str] = set()  # every name in the CI file, valid row or not
        self.edges: list[EdgeRow] = []
        self.existing: dict[str, ConfigurationItem] = {}  # CIs of the CI file already in the CMDB
        self.known_ids: dict[str, int] = {}  # name -> id of every CI the import refers to
        self.existing_edges: set[tuple] = set()
        self.new_cis: list[ConfigurationItem] = []
        self.changed_cis: list[ConfigurationItem] = []
        self.new_components: list[tuple[int, str]] = []
        self.new_edges: list[EdgeRow] = []

    # --- CIs ---------------------------------------------------------------------------

    def read_cis(self, file: TextIO, label: str) -> None:
        header, records = self._records(file, label)
        if header is None or not self._check_ci_header(header, label):
            return
        self.ci_names = {row["name"] for _, row in records if row["name"]}
        self.existing = {
            ci.name: ci for ci in _in_chunks(ConfigurationItem.objects.all(), "name", self.ci_names)
        }
        self.known_ids.update({name: ci.pk for name, ci in self.existing.items()})
        first_row: dict[str, int] = {}
        for done, (number, row) in enumerate(records, start=1):
            self._read_ci(label, number, row, first_row)
            if done % BATCH == 0 or done == len(records):
                self.progress("checking CIs", done, len(records))

    def _check_ci_header(self, header: list[str], label: str) -> bool:
        """Report unknown columns; True if the rows can still be checked (a name column exists)."""
        for column in header:
            if column == ATTRIBUTE_PREFIX:
                self._problem(label, 1, column, "Name the attribute: attr.<key>, e.g. attr.os.")
            elif column not in CI_COLUMNS and not column.startswith(ATTRIBUTE_PREFIX):
                self._problem(label, 1, column, f"Unknown column. Use: {_listing(CI_COLUMNS)}, attr.<key>.")
        if "name" not in header:
            return self._problem(label, 1, "name", "The name column is required.")
        return True

    def _read_ci(self, label: str, number: int, row: dict[str, str], first_row: dict[str, int]) -> None:
        name = row["name"]
        problems = len(self.result.problems)
        if not name:
            self._problem(label, number, "name", "A name is required.")
        elif len(name) > NAME_MAX:
            self._problem(label, number, "name", f"At most {NAME_MAX} characters ({len(name)} given).")
        elif name in first_row:
            self._problem(label, number, "name", f"Duplicate: {name!r} is also on row {first_row[name]}.")
        else:
            first_row[name] = number
        values = self._ci_values(label, number, row, is_new=name not in self.existing)
        services = self._ci_services(label, number, row.get("services", ""))
        if len(self.result.problems) == problems:
            attributes = {
                column.removeprefix(ATTRIBUTE_PREFIX): value
                for column, value in row.items()
                if column.startswith(ATTRIBUTE_PREFIX) and column != ATTRIBUTE_PREFIX and value
            }
            self.rows.append(CIRow(number, name, values, attributes, services))

    def _ci_values(self, label: str, number: int, row: dict[str, str], *, is_new: bool) -> dict[str, object]:
        values: dict[str, object] = {}
        for column, field_name, choices in (
            ("class", "ci_class", CIClass),
            ("status", "status", CIStatus),
            ("environment", "environment", Environment),
        ):
            raw = row.get(column, "")
            if raw:
                value = _choice(choices, raw)
                if value is None:
                    self._problem(
                        label, number, column, f"Unknown value {raw!r}. Use: {_listing(choices.values)}."
                    )
                values[field_name] = value
            elif column == "class" and is_new:
                self._problem(label, number, column, "A class is required for a new CI.")
        team = row.get("owner_team", "")
        if team:
            if team.casefold() not in self.teams:
                self._problem(label, number, "owner_team", f"No team called {team!r}.")
            else:
                values["owner_team_id"] = self.teams[team.casefold()].pk
        if row.get("description"):
            values["description"] = row["description"]
        return values

    def _ci_services(self, label: str, number: int, cell: str) -> list[Service]:
        services = []
        for name in filter(None, (part.strip() for part in cell.split(";"))):
            service = self.services.get(name.casefold())
            if service is None:
                self._problem(label, number, "services", f"No service called {name!r}; create it first.")
            else:
                services.append(service)
        return services

    # --- Relationships -----------------------------------------------------------------

    def read_relationships(self, file: TextIO, label: str) -> None:
        header, records = self._records(file, label)
        if header is None or not self._check_relationship_header(header, label):
            return
        in_file = self.ci_names
        referenced = {row[end] for _, row in records for end in ("source", "target")} - in_file - {""}
        self.known_ids.update(
            _in_chunks(ConfigurationItem.objects.values_list("name", "pk"), "name", referenced)
        )
        first_row: dict[tuple[str, str, str], int] = {}
        for done, (number, row) in enumerate(records, start=1):
            self._read_edge(label, number, row, in_file, first_row)
            if done % BATCH == 0 or done == len(records):
                self.progress("checking relationships", done, len(records))
        self._check_cycles(label)  # over the rows without problems, so one run reports everything

    def _check_relationship_header(self, header: list[str], label: str) -> bool:
        """Report unknown and missing columns; True if the rows can still be checked."""
        for column in header:
            if column not in RELATIONSHIP_COLUMNS:
                self._problem(label, 1, column, f"Unknown column. Use: {', '.join(RELATIONSHIP_COLUMNS)}.")
        missing = [column for column in RELATIONSHIP_COLUMNS if column not in header]
        for column in missing:
            self._problem(label, 1, column, "This column is required.")
        return not missing

    def _read_edge(
        self, label: str, number: int, row: dict[str, str], in_file: set[str], first_row: dict
    ) -> None:
        problems = len(self.result.problems)
        for end in ("source", "target"):
            name = row[end]
            if not name:
                self._problem(label, number, end, "A CI name is required.")
            elif name not in in_file and name not in self.known_ids:
                self._problem(label, number, end, f"No CI called {name!r} in the CMDB or in the CI file.")
        kind = _choice(RelationshipKind, row["kind"])
        if kind is None:
            unknown = f"Unknown kind {row['kind']!r}" if row["kind"] else "A kind is required"
            self._problem(label, number, "kind", f"{unknown}. Use: {_listing(RelationshipKind.values)}.")
        if row["source"] and row["source"] == row["target"]:
            self._problem(label, number, "target", "A CI cannot be related to itself.")
        key = (row["source"], kind or "", row["target"])
        if key in first_row:
            self._problem(label, number, "target", f"Duplicate of row {first_row[key]}.")
        if len(self.result.problems) == problems:
            first_row[key] = number
            self.edges.append(EdgeRow(number, row["source"], kind, row["target"]))

    def _check_cycles(self, label: str) -> None:
        """Report every new edge that lies on a cycle of the CMDB's edges plus the file's."""
        existing = list(CIRelationship.objects.values_list("source_id", "target_id", "kind"))
        self.existing_edges = set(existing)
        graph: dict[object, list[object]] = defaultdict(list)
        for source, target, _kind in existing:
            graph[source].append(target)
        new = [(edge, self._node(edge.source), self._node(edge.target)) for edge in self.edges]
        for _edge, source, target in new:
            graph[source].append(target)
        reachable = _reachable(graph, [target for _, _, target in new])
        component = _components({node: graph[node] for node in reachable})
        on_cycle = [(e, s, t) for e, s, t in new if s in component and component.get(t) == component[s]]
        names = self._names([node for _, s, t in on_cycle for node in _path(graph, component, t, s)])
        for edge, source, target in on_cycle:
            loop = " → ".join(
                names.get(node, str(node)) for node in [source, *_path(graph, component, target, source)]
            )
            self._problem(label, edge.row, "target", f"Would close a cycle: {loop}.")

    def _node(self, name: str) -> object:
        """A graph node: the id of a CI already in the CMDB, else the (new) CI's name."""
        return self.known_ids.get(name, name)

    def _names(self, nodes: Iterable[object]) -> dict[object, str]:
        ids = {node for node in nodes if isinstance(node, int)}
        names = {node: node for node in nodes if isinstance(node, str)}
        names.update({pk: name for name, pk in self.known_ids.items() if pk in ids})
        missing = ids - set(names)
        names.update(dict(_in_chunks(ConfigurationItem.objects.values_list("pk", "name"), "pk", missing)))
        return names

    # --- Planning and writing ----------------------------------------------------------

    def plan(self) -> None:
        """Decide what to create, update and link, and count it; writes nothing (a dry run stops here)."""
        now = timezone.now()
        for row in self.rows:
            ci = self.existing.get(row.name)
            if ci is None:
                self.new_cis.append(ConfigurationItem(name=row.name, attributes=row.attributes, **row.values))
            elif _apply(ci, row, now):
                self.changed_cis.append(ci)
            else:
                self.result.unchanged += 1
        self.result.created, self.result.updated = len(self.new_cis), len(self.changed_cis)
        self._plan_components()
        self.new_edges = [edge for edge in self.edges if self._edge_key(edge) not in self.existing_edges]
        self.result.relationships_created = len(self.new_edges)
        self.result.relationships_existing = len(self.edges) - len(self.new_edges)

    def _plan_components(self) -> None:
        wanted = {(service.pk, row.name) for row in self.rows for service in row.services}
        have = set(
            ServiceComponent.objects.filter(
                service_id__in={service for service, _name in wanted}
            ).values_list("service_id", "configuration_item__name")
        )
        self.new_components = sorted(wanted - have)
        self.result.components_added = len(self.new_components)

    def _edge_key(self, edge: EdgeRow) -> tuple:
        return (self.known_ids.get(edge.source), self.known_ids.get(edge.target), edge.kind)

    def write(self) -> None:
        self._write_cis()
        ServiceComponent.objects.bulk_create(
            [
                ServiceComponent(service_id=service, configuration_item_id=self.known_ids[name])
                for service, name in self.new_components
            ],
            batch_size=BATCH,
        )
        rows = [
            CIRelationship(
                source_id=self.known_ids[e.source], target_id=self.known_ids[e.target], kind=e.kind
            )
            for e in self.new_edges
        ]
        for start in range(0, len(rows), BATCH):
            CIRelationship.objects.bulk_create(rows[start : start + BATCH])
            self.progress("writing relationships", min(start + BATCH, len(rows)), len(rows))

    def _write_cis(self) -> None:
        new, changed = self.new_cis, self.changed_cis
        total = len(new) + len(changed)
        for start in range(0, len(new), BATCH):
            ConfigurationItem.objects.bulk_create(new[start : start + BATCH])
            self.progress("writing CIs", min(start + BATCH, len(new)), total)
        for start in range(0, len(changed), BATCH):
            _update_rows(changed[start : start + BATCH], [*UPDATABLE, "updated_at"])
            self.progress("writing CIs", len(new) + min(start + BATCH, len(changed)), total)
        self.known_ids.update({ci.name: ci.pk for ci in new})
        self.known_ids.update({name: ci.pk for name, ci in self.existing.items()})

    # --- Reading -----------------------------------------------------------------------

    def _records(self, file: TextIO, label: str) -> tuple[list[str] | None, list[tuple[int, dict[str, str]]]]:
        """The header (lower-cased names) and the non-blank rows as (row number, cells by column)."""
        try:
            lines = list(csv.reader(file))
        except UnicodeDecodeError as error:
            self._problem(
                label, 0, "", f"Not UTF-8 text ({error.reason} at byte {error.start}). Save it as CSV UTF-8."
            )
            return None, []
        except csv.Error as error:
            self._problem(label, 0, "", f"Not a readable CSV file: {error}.")
            return None, []
        if not lines or not any(cell.strip() for cell in lines[0]):
            self._problem(label, 1, "", "The file is empty: the first row must name the columns.")
            return None, []
        header = [_column(cell) for cell in lines[0]]
        duplicates = {column for column in header if header.count(column) > 1}
        for column in sorted(duplicates):
            self._problem(label, 1, column, "This column appears more than once.")
        records = []
        for number, cells in enumerate(lines[1:], start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                self._problem(
                    label, number, "", f"{len(cells)} cells, but the header has {len(header)} columns."
                )
                continue
            records.append(
                (number, {column: cell.strip() for column, cell in zip(header, cells, strict=True)})
            )
        return (None if duplicates else header), records

    def _problem(self, label: str, row: int, column: str, message: str) -> bool:
        self.result.problems.append(Problem(label, row, column, message))
        return False


def _update_rows(cis: list[ConfigurationItem], names: list[str]) -> None:
    """One prepared UPDATE run for every row (`executemany`).

    `bulk_update` builds a CASE expression per field and row in Python, which took about a
    second per thousand rows here; a prepared statement is a fraction of that on both databases.
    """
    meta = ConfigurationItem._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(ci, field.attname), connection) for field in fields] + [ci.pk]
        for ci in cis
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _apply(ci: ConfigurationItem, row: CIRow, now) -> bool:
    """Copy the row's values onto an existing CI; True if anything changed."""
    before = {name: getattr(ci, name) for name in UPDATABLE}
    for name, value in row.values.items():
        setattr(ci, name, value)
    if row.attributes:
        ci.attributes = {**(ci.attributes if isinstance(ci.attributes, dict) else {}), **row.attributes}
    changed = any(getattr(ci, name) != before[name] for name in UPDATABLE)
    if changed:
        ci.updated_at = now
    return changed


def _column(cell: str) -> str:
    """Header names are case-insensitive, except the key after `attr.`."""
    cell = cell.strip()
    if cell.lower().startswith(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_PREFIX + cell[len(ATTRIBUTE_PREFIX) :].strip()
    return cell.lower()


def _choice(choices, raw: str) -> str | None:
    """The choice whose value or label matches `raw`, ignoring case, spaces and hyphens."""
    wanted = raw.strip().casefold().replace("-", "_").replace(" ", "_")
    for value, label in choices.choices:
        if wanted in (value, label.casefold().replace("-", "_").replace(" ", "_")):
            return value
    return None


def _listing(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _by_key(queryset, keys: Callable) -> dict:
    """Objects by every casefolded key `keys(obj)` gives (a team by name and by slug)."""
    return {key.casefold(): obj for obj in queryset for key in keys(obj) if key}


def _in_chunks(queryset, field_name: str, values: Iterable) -> Iterator:
    values = sorted(values)
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield from queryset.filter(**{f"{field_name}__in": values[start : start + LOOKUP_CHUNK]})


def _reachable(graph: dict, starts: Iterable) -> set:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for neighbour in graph.get(queue.popleft(), ()):
            if neighbour not in seen:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def _components(graph: dict) -> dict:
    """Strongly connected components (Tarjan, iterative): node -> component number.

    Only nodes on a cycle share a component with another node, so an edge whose two ends
    share one lies on a cycle.
    """
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    component: dict = {}
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, neighbours = work[-1]
            advanced = False
            for neighbour in neighbours:
                if neighbour not in graph:
                    continue
                if neighbour not in index:
                    index[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append(neighbour)
                    on_stack.add(neighbour)
                    work.append((neighbour, iter(graph.get(neighbour, ()))))
                    advanced = True
                    break
                if neighbour in on_stack:
                    low[node] = min(low[node], index[neighbour])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
    return component


def _path(graph: dict, component: dict, start: object, goal: object) -> list:
    """The shortest path from `start` to `goal` inside their component, both ends included."""
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for neighbour in graph.get(node, ()):
            if neighbour not in previous and component.get(neighbour) == component.get(start):
                previous[neighbour] = node
                queue.append(neighbour)
    path, node = [], goal
    while node is not None:
        path.append(node)
        node = previous.get(node)
    return path[::-1]
