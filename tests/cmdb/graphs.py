"""A generated, believable CMDB graph, and a plain-Python walk to check impact analysis against.

Layers as in a real estate: two core switches at the bottom, which every other switch
uplinks to, then storage, physical hosts, virtual machines, databases, applications. Every
edge points from a higher layer to a lower one (between applications, and from access to
core switches, to a lower index), so the graph is acyclic by construction.
Skip-layer edges (an application straight on a switch, a VM on storage) make several paths
of different lengths meet, which is what minimal depths must get right.

Used by tests/cmdb/test_impact.py (10,000 CIs) and tests/bench/bench_impact.py (100,000).
"""

import heapq
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from itsm.cmdb.choices import CIClass, RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent, ServiceDependency

#: (class, share of all CIs), bottom layer first.
LAYERS = [
    (CIClass.NETWORK_DEVICE, 0.01),
    (CIClass.STORAGE, 0.03),
    (CIClass.SERVER, 0.10),
    (CIClass.VIRTUAL_MACHINE, 0.30),
    (CIClass.DATABASE, 0.16),
    (CIClass.APPLICATION, 0.40),
]

#: (from class, to class, kind, probability, how many targets)
EDGE_RULES = [
    (CIClass.STORAGE, CIClass.NETWORK_DEVICE, RelationshipKind.CONNECTS_TO, 1.0, 1),
    (CIClass.SERVER, CIClass.NETWORK_DEVICE, RelationshipKind.CONNECTS_TO, 1.0, 2),
    (CIClass.VIRTUAL_MACHINE, CIClass.SERVER, RelationshipKind.HOSTED_ON, 1.0, 1),
    (CIClass.VIRTUAL_MACHINE, CIClass.STORAGE, RelationshipKind.DEPENDS_ON, 0.5, 1),
    (CIClass.DATABASE, CIClass.VIRTUAL_MACHINE, RelationshipKind.RUNS_ON, 1.0, 1),
    (CIClass.DATABASE, CIClass.STORAGE, RelationshipKind.DEPENDS_ON, 0.3, 1),
    (CIClass.APPLICATION, CIClass.VIRTUAL_MACHINE, RelationshipKind.RUNS_ON, 1.0, 1),
    (CIClass.APPLICATION, CIClass.DATABASE, RelationshipKind.DEPENDS_ON, 0.7, 1),
    (CIClass.APPLICATION, CIClass.NETWORK_DEVICE, RelationshipKind.CONNECTS_TO, 0.05, 1),
]


@dataclass
class GeneratedGraph:
    """What was written, as plain ids, so tests can compute the expected answers in Python."""

    by_class: dict[str, list[int]] = field(default_factory=dict)
    edges: list[tuple[int, int]] = field(default_factory=list)  # (source, target): source needs target
    components: list[tuple[int, int]] = field(default_factory=list)  # (service, ci)
    service_edges: list[tuple[int, int]] = field(default_factory=list)  # (service, depends_on)

    @property
    def ci_ids(self) -> list[int]:
        return [pk for ids in self.by_class.values() for pk in ids]


def build_graph(
    ci_count: int,
    *,
    seed: int = 7,
    services: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> GeneratedGraph:
    """Write `ci_count` CIs, their relationships, services, components and service
    dependencies with bulk inserts, and return their ids."""
    rng = random.Random(seed)
    graph = GeneratedGraph()
    _say = progress or (lambda message: None)
    _say(f"creating {ci_count:,} CIs")
    for ci_class, share in LAYERS:
        count = max(2, int(ci_count * share))
        objs = [
            ConfigurationItem(name=f"{ci_class}-{i:06d}", ci_class=ci_class, attributes={"rack": i % 40})
            for i in range(count)
        ]
        graph.by_class[ci_class] = [
            ci.pk for ci in ConfigurationItem.objects.bulk_create(objs, batch_size=2000)
        ]
    _say("creating relationships")
    _add_ci_edges(graph, rng)
    _say(f"creating {len(graph.edges):,} relationships")
    CIRelationship.objects.bulk_create(_relationship_rows(graph, rng), batch_size=5000)
    _say("creating services")
    _add_services(graph, rng, services or max(5, ci_count // 100))
    return graph


#: The first network devices are the core; every other one uplinks to one of them.
CORE_SWITCHES = 2


def _add_ci_edges(graph: GeneratedGraph, rng: random.Random) -> None:
    seen: set[tuple[int, int]] = set()
    core, access = (
        graph.by_class[CIClass.NETWORK_DEVICE][:CORE_SWITCHES],
        graph.by_class[CIClass.NETWORK_DEVICE][CORE_SWITCHES:],
    )
    for switch in access:
        _add_edge(graph, seen, switch, rng.choice(core))
    for from_class, to_class, _kind, probability, count in EDGE_RULES:
        targets = access if to_class == CIClass.NETWORK_DEVICE else graph.by_class[to_class]
        for source in graph.by_class[from_class]:
            if rng.random() < probability:
                for target in rng.sample(targets, count):
                    _add_edge(graph, seen, source, target)
    apps = graph.by_class[CIClass.APPLICATION]
    for index, source in enumerate(apps[1:], start=1):
        if rng.random() < 0.2:
            _add_edge(graph, seen, source, apps[rng.randrange(index)])


def _add_edge(graph: GeneratedGraph, seen: set, source: int, target: int) -> None:
    if (source, target) not in seen:
        seen.add((source, target))
        graph.edges.append((source, target))


def _relationship_rows(graph: GeneratedGraph, rng: random.Random) -> list[CIRelationship]:
    class_of = {pk: ci_class for ci_class, ids in graph.by_class.items() for pk in ids}
    kinds = {(f, t): kind for f, t, kind, _p, _n in EDGE_RULES}
    kinds[(CIClass.NETWORK_DEVICE, CIClass.NETWORK_DEVICE)] = RelationshipKind.CONNECTS_TO
    return [
        CIRelationship(
            source_id=source,
            target_id=target,
            kind=kinds.get((class_of[source], class_of[target]), RelationshipKind.DEPENDS_ON),
        )
        for source, target in graph.edges
    ]


def _add_services(graph: GeneratedGraph, rng: random.Random, count: int) -> None:
    created = Service.objects.bulk_create(
        [Service(name=f"Service {i:05d}", criticality=1 + i % 4) for i in range(count)], batch_size=2000
    )
    service_ids = [service.pk for service in created]
    deliverers = graph.by_class[CIClass.APPLICATION] + graph.by_class[CIClass.DATABASE]
    for service in service_ids:
        for ci in rng.sample(deliverers, rng.randint(1, 5)):
            graph.components.append((service, ci))
    for index, service in enumerate(service_ids[1:], start=1):
        for depends_on in {service_ids[rng.randrange(index)] for _ in range(rng.randint(0, 2))}:
            graph.service_edges.append((service, depends_on))
    ServiceComponent.objects.bulk_create(
        [ServiceComponent(service_id=s, configuration_item_id=c) for s, c in graph.components],
        batch_size=5000,
    )
    ServiceDependency.objects.bulk_create(
        [ServiceDependency(service_id=s, depends_on_id=d) for s, d in graph.service_edges], batch_size=5000
    )


class ExpectedImpact:
    """Breadth-first walks over the generated graph, in Python, as the reference answer."""

    def __init__(self, graph: GeneratedGraph) -> None:
        self.needed_by: dict[int, list[int]] = defaultdict(list)
        self.needs: dict[int, list[int]] = defaultdict(list)
        for source, target in graph.edges:
            self.needed_by[target].append(source)
            self.needs[source].append(target)
        self.services_of: dict[int, list[int]] = defaultdict(list)
        for service, ci in graph.components:
            self.services_of[ci].append(service)
        self.dependants: dict[int, list[int]] = defaultdict(list)
        for service, depends_on in graph.service_edges:
            self.dependants[depends_on].append(service)

    def affected_cis(self, ci: int) -> dict[int, int]:
        depths = _bfs(self.needed_by, ci)
        depths.pop(ci)
        return depths

    def dependencies(self, ci: int) -> dict[int, int]:
        depths = _bfs(self.needs, ci)
        depths.pop(ci)
        return depths

    def affected_services(self, ci: int) -> dict[int, int]:
        """Services of every CI at or above `ci` (one hop more), then services above those."""
        starts: dict[int, int] = {}
        for node, depth in _bfs(self.needed_by, ci).items():
            for service in self.services_of[node]:
                starts[service] = min(starts.get(service, depth + 1), depth + 1)
        return _shortest(self.dependants, starts)


def _bfs(adjacency: dict[int, list[int]], start: int) -> dict[int, int]:
    depths = {start: 0}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for neighbour in adjacency[node]:
                if neighbour not in depths:
                    depths[neighbour] = depths[node] + 1
                    following.append(neighbour)
        frontier = following
    return depths


def _shortest(adjacency: dict[int, list[int]], starts: dict[int, int]) -> dict[int, int]:
    """Unit-weight shortest distances from several starts that begin at different depths."""
    best = dict(starts)
    heap = [(depth, node) for node, depth in starts.items()]
    heapq.heapify(heap)
    while heap:
        depth, node = heapq.heappop(heap)
        if depth > best[node]:
            continue
        for neighbour in adjacency[node]:
            if depth + 1 < best.get(neighbour, depth + 2):
                best[neighbour] = depth + 1
                heapq.heappush(heap, (depth + 1, neighbour))
    return best
