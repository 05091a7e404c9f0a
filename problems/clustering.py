"""Finding groups of similar recent incidents: the pure algorithm (no database, no Django).

Incidents are grouped by scope (the same service, else the same configuration item; incidents
with neither are left out: text alone is too weak a sign of one cause). Text becomes words
(stop words and help-desk chatter removed, plurals stripped, one-slip typos corrected towards
common words of the window, the scope's own name left out); words used once in the window or
by more than 2 % of it are dropped. Each incident is a TF-IDF vector whose IDF comes from the
scope's own word rates, smoothed toward the window's, so a service's everyday words weigh little.

Within a scope: one pass in opening order puts each incident into the most similar cluster
(cosine to the centroid ≥ `threshold`, found through an inverted index on strong terms, so the
cost grows with the incidents, not their pairs); a second pass folds fragments into alike
larger clusters. A cluster is kept when it has `min_size` members, is cohesive, and is defined
by at least two separate ideas rare in its scope (see `_describe`). Kept clusters of one fault
phrased two ways are joined, and left-out incidents that use the cluster's defining words join it.

Confidence is cohesion (mean cosine of the members to the centroid), discounted for small
clusters: `cohesion × size / (size + 2)`. Measured in docs/performance.md ("Problems").
"""

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from problems.text import Vector, cosine, document_frequencies, tfidf, typo_fixes, words

#: How many of an incident's strongest terms are used to find candidate clusters.
PROBE_TERMS = 4
#: Between an incident's text and its repeated title: their edge words are not neighbours.
BREAK = "|"
#: Cosine to a cluster's centroid from which an incident joins it.
THRESHOLD = 0.5
#: Centroids this alike (threshold × MERGE_FACTOR) are one cluster split by the first pass.
MERGE_FACTOR = 1.2
#: An incident left out joins a kept cluster from threshold × ADOPT_FACTOR
#: (probing the ADOPT_TERMS strongest words of each kept centroid).
ADOPT_FACTOR = 0.8
ADOPT_TERMS = 8
#: Smallest cluster worth a problem manager's time.
MIN_SIZE = 3
#: Pseudo-incidents of window-wide word rates mixed into each scope's own rates.
PRIOR_WEIGHT = 50
#: Words used by more than this share of the window's incidents (and MAX_WINDOW_MIN) are chatter.
MAX_WINDOW_SHARE = 0.02
MAX_WINDOW_MIN = 50
#: A kept cluster: mean member-to-centroid cosine, and its defining words (see `_describe`).
MIN_COHESION = 0.5
DEFINING_TERMS = 2
MIN_SHARE = 0.5
MIN_LIFT = 8.0
CONCENTRATION = 0.8
#: Two words written next to each other in this share of the members using both are one phrase.
PHRASE_OVERLAP = 0.8
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
    #: The service's (else the CI's) name: its words say where, not what broke.
    scope_name: str = ""


@dataclass
class Cluster:
    scope: tuple[str, int]
    members: list[int] = field(default_factory=list)
    vectors: list[Vector] = field(default_factory=list)
    centroid: dict[str, float] = field(default_factory=dict)
    norm_sq: float = 0.0
    cohesion: float = 0.0
    terms: list[str] = field(default_factory=list)
    defining: set[str] = field(default_factory=set)

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


def find_clusters(
    items: Iterable[Item], *, threshold: float = THRESHOLD, min_size: int = MIN_SIZE
) -> list[Cluster]:
    """Clusters of at least `min_size` similar incidents in the same scope, best first."""
    by_scope = _tokens_by_scope(items)
    global_df, total = document_frequencies(tokens for docs in by_scope.values() for _, tokens in docs)
    found = []
    for scope, docs in by_scope.items():
        if len(docs) >= min_size:
            found += _clusters_in_scope(scope, docs, global_df, total, threshold, min_size)
    return sorted(found, key=lambda c: (-c.confidence, -c.size, c.members[0]))


def _tokens_by_scope(items: Iterable[Item]) -> dict[tuple[str, int], list[tuple[int, list[str]]]]:
    """Each scope's incidents as word lists: the scope's own name left out, typos corrected."""
    by_scope: dict[tuple[str, int], list[tuple[int, list[str]]]] = defaultdict(list)
    names: dict[tuple[str, int], set[str]] = {}
    for item in items:
        if scope := scope_of(item):
            if scope not in names:
                names[scope] = set(words(item.scope_name))
            # The title counts twice: people put the fault in the title and chatter below it.
            tokens = [*words(item.text), BREAK, *words(item.title)]
            by_scope[scope].append((item.id, [t for t in tokens if t not in names[scope]]))
    fixes = typo_fixes(document_frequencies(tokens for docs in by_scope.values() for _, tokens in docs)[0])
    for docs in by_scope.values():
        for _, tokens in docs:
            tokens[:] = [fixes.get(token, token) for token in tokens]
    return by_scope


def _clusters_in_scope(
    scope: tuple[str, int],
    docs: list[tuple[int, list[str]]],
    global_df: Counter,
    total: int,
    threshold: float,
    min_size: int,
) -> list[Cluster]:
    rates = scope_rates(docs, global_df, total)
    scope_df = document_frequencies(tokens for _, tokens in docs)[0]
    weights = {term: 1.0 - math.log(rate) for term, rate in rates.items()}
    vectors = [
        (item_id, vector)
        for item_id, tokens in docs
        if (vector := tfidf([t for t in tokens if t in weights], weights))
    ]
    tokens_of = dict(docs)
    kept, left = [], []
    for cluster in _cluster_scope(scope, vectors, threshold):
        defining = _describe(cluster, rates, scope_df) if cluster.size >= min_size else []
        if defining and phrases(defining, (tokens_of[m] for m in cluster.members)) >= DEFINING_TERMS:
            cluster.defining = set(defining)
            kept.append(cluster)
        else:
            left.append(cluster)
    kept = _join(kept, threshold * ADOPT_FACTOR, tokens_of)
    _adopt(kept, left, threshold * ADOPT_FACTOR)
    for cluster in kept:
        _describe(cluster, rates, scope_df)
        cluster.vectors = []
    return kept


def _join(kept: list[Cluster], threshold: float, tokens_of: dict[int, list[str]]) -> list[Cluster]:
    """Join two kept clusters of a scope that are alike and share DEFINING_TERMS separate ideas:
    one fault reported in two phrasings ("crashes when…", "closes unexpectedly while…")."""
    joined: list[Cluster] = []
    for cluster in sorted(kept, key=lambda c: -c.size):
        unit = _unit(cluster)
        for bigger in joined:
            shared = sorted(bigger.defining & cluster.defining)
            if len(shared) < DEFINING_TERMS or cosine(unit, _unit(bigger)) < threshold:
                continue
            docs = (tokens_of[m] for m in bigger.members + cluster.members)
            if phrases(shared, docs) >= DEFINING_TERMS:
                for member, vector in zip(cluster.members, cluster.vectors, strict=True):
                    bigger.add(member, vector)
                bigger.defining |= cluster.defining
                break
        else:
            joined.append(cluster)
    return joined


def _adopt(kept: list[Cluster], left: list[Cluster], threshold: float) -> None:
    """Last pass: an incident left out (alone, or in a group that was not kept) joins the kept
    cluster it is most like, when alike enough and using at least DEFINING_TERMS of the
    cluster's defining words: reports that phrase the fault oddly still count, reports that
    merely name the same component do not."""
    if not kept:
        return
    units = [_unit(cluster) for cluster in kept]
    index: dict[str, set[int]] = defaultdict(set)
    for position, unit in enumerate(units):
        for term in sorted(unit, key=unit.__getitem__, reverse=True)[:ADOPT_TERMS]:
            index[term].add(position)
    for cluster in left:
        for member, vector in zip(cluster.members, cluster.vectors, strict=True):
            candidates = set().union(*(index.get(term, ()) for term in vector))
            scores = [
                (cosine(vector, units[position]), position)
                for position in candidates
                if len(kept[position].defining.intersection(vector)) >= DEFINING_TERMS
            ]
            best = max(scores, default=(0.0, -1))
            if best[0] >= threshold:
                kept[best[1]].add(member, vector)


def scope_rates(docs: list[tuple[int, list[str]]], global_df: Counter, total: int) -> dict[str, float]:
    """Share of the scope's incidents that use each word, smoothed toward the whole window's share.

    Words seen once in the window (typos, machine names) are dropped: they cannot make two
    incidents alike and only dilute the others. So are the window's stock phrases, words used
    by more than MAX_WINDOW_SHARE of all incidents ("strange behaviour", "second floor"): on
    every service alike, they say how people write, not what broke. A small scope leans on the window's rates
    (PRIOR_WEIGHT pseudo-incidents), a large one on its own, so a service's everyday words
    ("outlook" on the e-mail service) weigh little there however rare they are elsewhere.
    """
    scope_df, count = document_frequencies(tokens for _, tokens in docs)
    common = max(MAX_WINDOW_SHARE * total, MAX_WINDOW_MIN)
    return {
        term: (n + PRIOR_WEIGHT * global_df[term] / total) / (count + PRIOR_WEIGHT)
        for term, n in scope_df.items()
        if 1 < global_df[term] <= common and term != BREAK
    }


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
    return _merge_fragments(clusters, threshold)


def _merge_fragments(clusters: list[Cluster], threshold: float) -> list[Cluster]:
    """Second pass: fold each cluster into a larger one whose centroid is alike.

    One pass in time order splits a fault when its first reports use different words
    ("citrix crashes on barcode scanning" and "barcode scanning makes citrix crash"); the
    centroids, built from many reports, show they are one.
    """
    kept: list[Cluster] = []
    index: dict[str, set[int]] = defaultdict(set)
    for cluster in sorted(clusters, key=lambda c: -c.size):
        unit = _unit(cluster)
        probes = sorted(unit, key=unit.__getitem__, reverse=True)[:PROBE_TERMS]
        best, best_score = None, threshold * MERGE_FACTOR
        for position in set().union(*(index.get(term, ()) for term in probes)):
            score = cosine(unit, _unit(kept[position]))
            if score >= best_score:
                best, best_score = position, score
        if best is None:
            best = len(kept)
            kept.append(cluster)
            for term in probes:
                index[term].add(best)
        else:
            for member, vector in zip(cluster.members, cluster.vectors, strict=True):
                kept[best].add(member, vector)
    return kept


def _unit(cluster: Cluster) -> Vector:
    norm = math.sqrt(cluster.norm_sq) or 1.0
    return {term: value / norm for term, value in cluster.centroid.items()}


def _describe(cluster: Cluster, rates: dict[str, float], scope_df: Counter) -> list[str]:
    """Fill in cohesion and terms; return the cluster's defining words (none: not worth proposing).

    A cluster is kept when its members are alike (mean cosine to the centroid at least
    MIN_COHESION) and when it is defined by at least DEFINING_TERMS phrases (see `phrases`) of
    words that most members use (MIN_SHARE) and that are rare in its scope (used MIN_LIFT times
    more often in the cluster than in the scope, or — in a small scope, where no word can be
    that much rarer — used almost only by the cluster: CONCENTRATION of the scope's uses).
    Many incidents that all say "printer" share a service, not a cause; "VPN client crashes on
    wake from sleep" names a cause.
    """
    unit = _unit(cluster)
    cluster.cohesion = sum(cosine(vector, unit) for vector in cluster.vectors) / cluster.size
    usage = Counter(term for vector in cluster.vectors for term in vector)
    defining = [
        term
        for term, n in usage.items()
        if n >= MIN_SHARE * cluster.size
        and ((n / cluster.size) / rates[term] >= MIN_LIFT or n >= CONCENTRATION * scope_df[term])
    ]
    cluster.terms = sorted(unit, key=lambda term: (term not in defining, -unit[term], term))[:6]
    return defining if cluster.cohesion >= MIN_COHESION and len(defining) >= DEFINING_TERMS else []


def phrases(terms: list[str], documents: Iterable[list[str]]) -> int:
    """How many separate ideas `terms` hold in a cluster's `documents` (their words in order).

    Words the members nearly always write next to each other, in the same order ("purchase
    order", "ssh key", "saving drafts"), are one idea, however many words it takes to say it; words that move
    around between paraphrases ("crashes when saving drafts", "saving drafts makes it crash")
    are separate ideas.
    """
    both: Counter = Counter()
    adjacent: Counter = Counter()
    wanted = set(terms)
    for tokens in documents:
        present = sorted(wanted.intersection(tokens))
        both.update(combinations(present, 2))
        adjacent.update({pair for pair in zip(tokens, tokens[1:], strict=False) if set(pair) <= wanted})
    group = {term: term for term in terms}

    def root(term: str) -> str:
        while group[term] != term:
            term = group[term]
        return term

    for pair, n in adjacent.items():
        if pair[0] != pair[1] and n >= PHRASE_OVERLAP * both[tuple(sorted(pair))]:
            group[root(pair[0])] = root(pair[1])
    return len({root(term) for term in terms})
