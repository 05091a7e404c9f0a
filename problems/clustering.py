"""Finding groups of similar recent incidents: the pure algorithm (no database, no Django).

Incidents are grouped by scope (the same service, else the same configuration item; incidents
with neither are left out: text alone is too weak a sign of one cause). Within a scope, a
single pass in opening order assigns each incident to the most similar existing cluster if
the cosine between its TF-IDF vector and the cluster's centroid reaches `threshold`, else
starts a new cluster. Centroids are found through an inverted index on each incident's
strongest terms, so the cost grows with the incidents, not with their pairs.

A cluster becomes a candidate with at least `min_size` members. Its confidence is the mean
cosine of the members to the centroid (how alike they are), discounted for small clusters:
`cohesion × size / (size + 2)`.
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from problems.text import Vector, cosine, document_frequencies, idf, tfidf, words

#: How many of an incident's strongest terms are used to find candidate clusters.
PROBE_TERMS = 4
#: Terms kept in a cluster's signature.
SIGNATURE_TERMS = 3


@dataclass(frozen=True)
class Item:
    """One incident as the algorithm sees it."""

    id: int
    service_id: int | None
    ci_id: int | None
    text: str
    title: str = ""


@dataclass
class Cluster:
    scope: tuple[str, int]
    members: list[int] = field(default_factory=list)
    vectors: list[Vector] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)
    norm_sq: float = 0.0
    cohesion: float = 0.0
    terms: list[str] = field(default_factory=list)

    def similarity(self, vector: Vector) -> float:
        if not self.norm_sq:
            return 0.0
        dot = sum(value * self.centroid.get(term, 0.0) for term, value in vector.items())
        return dot / math.sqrt(self.norm_sq)

    def add(self, item_id: int, vector: Vector) -> None:
        for term, value in vector.items():
            current = self.centroid.get(term, 0.0)
            self.norm_sq += 2 * current * value + value * value
            self.centroid[term] = current + value
        self.members.append(item_id)
        self.vectors.append(vector)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def confidence(self) -> float:
        return round(self.cohesion * self.size / (self.size + 2), 3)

    @property
    def signature(self) -> str:
        """Stable name of the cluster: its scope and strongest terms, not its changing members."""
        key = f"{self.scope[0]}:{self.scope[1]}|{','.join(sorted(self.terms[:SIGNATURE_TERMS]))}"
        return hashlib.sha256(key.encode()).hexdigest()


def scope_of(item: Item) -> tuple[str, int] | None:
    if item.service_id:
        return ("service", item.service_id)
    if item.ci_id:
        return ("ci", item.ci_id)
    return None


def find_clusters(items: Iterable[Item], *, threshold: float = 0.5, min_size: int = 3) -> list[Cluster]:
    """Clusters of at least `min_size` similar incidents in the same scope, best first."""
    scoped = [(scope, item.id, words(item.text)) for item in items if (scope := scope_of(item))]
    df, count = document_frequencies(tokens for _, _, tokens in scoped)
    weights = idf(df, count)
    by_scope: dict[tuple[str, int], list[tuple[int, Vector]]] = defaultdict(list)
    for scope, item_id, tokens in scoped:
        vector = tfidf(tokens, weights)
        if vector:
            by_scope[scope].append((item_id, vector))
    found = []
    for scope, vectors in by_scope.items():
        found += [c for c in _cluster_scope(scope, vectors, threshold) if c.size >= min_size]
    for cluster in found:
        _describe(cluster)
    return sorted(found, key=lambda c: (-c.confidence, -c.size, c.members[0]))


def _cluster_scope(
    scope: tuple[str, int], vectors: list[tuple[int, Vector]], threshold: float
) -> list[Cluster]:
    clusters: list[Cluster] = []
    index: dict[str, set[int]] = defaultdict(set)
    for item_id, vector in vectors:
        probes = sorted(vector, key=vector.__getitem__, reverse=True)[:PROBE_TERMS]
        candidates = set().union(*(index.get(term, ()) for term in probes))
        best, best_score = None, threshold
        for position in candidates:
            score = clusters[position].similarity(vector)
            if score >= best_score:
                best, best_score = position, score
        if best is None:
            best = len(clusters)
            clusters.append(Cluster(scope=scope))
        clusters[best].add(item_id, vector)
        for term in probes:
            index[term].add(best)
    return clusters


def _describe(cluster: Cluster) -> None:
    """Cohesion (mean member-to-centroid cosine) and the strongest terms of the centroid."""
    norm = math.sqrt(cluster.norm_sq) or 1.0
    unit = {term: value / norm for term, value in cluster.centroid.items()}
    cluster.cohesion = sum(cosine(vector, unit) for vector in cluster.vectors) / cluster.size
    cluster.terms = sorted(unit, key=lambda term: (-unit[term], term))[:6]
    cluster.vectors = []
