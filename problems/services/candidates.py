"""Proposing problems from clusters of recent incidents; problem managers accept or dismiss them.

`propose_problems` is what the beat job runs. A cluster whose signature was dismissed (or
accepted) is never proposed again, nor is one that shares most of its incidents with a
dismissed cluster (the words drifted, the incidents did not).
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Substr
from django.utils import timezone

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import Impact, StateCategory, TaskKind, Urgency
from itsm.core.exceptions import TransitionNotAllowed
from itsm.core.models import Task
from problems.choices import CandidateStatus
from problems.clustering import MIN_SIZE, THRESHOLD, Cluster, Item, find_clusters
from problems.models import Candidate, Problem, has_problem
from problems.services.common import require_problem_manager
from problems.services.creation import create_problem
from problems.services.links import link_incidents

#: Share of a new cluster's incidents that, already in a dismissed cluster, make it "the same".
DISMISSED_OVERLAP = 0.5
#: Characters of each description read (titles carry most of the signal).
DESCRIPTION_CHARS = 300


def window_days() -> int:
    return getattr(settings, "PROBLEM_CLUSTER_WINDOW_DAYS", 14)


@dataclass
class RunReport:
    incidents: int
    clusters: int
    created: int
    updated: int
    skipped: int
    seconds: float


def recent_items(since: datetime) -> list[Item]:
    """Incidents opened since `since`, not cancelled and not yet linked to a problem."""
    rows = (
        Task.objects.filter(kind=TaskKind.INCIDENT, opened_at__gte=since)
        .exclude(state_category=StateCategory.CANCELLED)
        .exclude(has_problem())
        .annotate(text=Substr("description", 1, DESCRIPTION_CHARS))
        .values_list("id", "service_id", "configuration_item_id", "title", "text")
        .order_by("opened_at", "id")
    )
    found = list(rows.iterator(chunk_size=5000))
    # Scope names (their words say where, not what broke): the service, else the CI.
    services = dict(Service.objects.values_list("pk", "name"))
    ci_ids = {ci for _, service, ci, _, _ in found if ci and not service}
    cis = dict(ConfigurationItem.objects.filter(pk__in=ci_ids).values_list("pk", "name"))
    return [
        Item(pk, service, ci, f"{title} {text}", title, services.get(service) or cis.get(ci, ""))
        for pk, service, ci, title, text in found
    ]


def propose_problems(*, now: datetime | None = None) -> RunReport:
    """Cluster the window's incidents and record each cluster as a proposed candidate."""
    started = time.monotonic()
    now = now or timezone.now()
    items = recent_items(now - timedelta(days=window_days()))
    clusters = find_clusters(
        items,
        threshold=getattr(settings, "PROBLEM_CLUSTER_THRESHOLD", THRESHOLD),
        min_size=getattr(settings, "PROBLEM_CLUSTER_MIN_SIZE", MIN_SIZE),
    )
    titles = {item.id: item.title for item in items}
    created = updated = skipped = 0
    with transaction.atomic():
        known = {
            c.signature: c for c in Candidate.objects.filter(signature__in=[c.signature for c in clusters])
        }
        dismissed = _dismissed_memberships(now)
        for cluster in clusters:
            candidate = known.get(cluster.signature)
            if (candidate and candidate.status != CandidateStatus.PROPOSED) or _overlaps(cluster, dismissed):
                skipped += 1
            elif candidate:
                _refresh(candidate, cluster, now)
                updated += 1
            else:
                _create(cluster, titles, now)
                created += 1
    return RunReport(len(items), len(clusters), created, updated, skipped, time.monotonic() - started)


def _dismissed_memberships(now: datetime) -> list[set[int]]:
    recent = Candidate.objects.filter(
        status=CandidateStatus.DISMISSED, last_seen_at__gte=now - timedelta(days=window_days() * 2)
    )
    through = Candidate.members.through.objects.filter(candidate__in=recent).values_list(
        "candidate_id", "task_id"
    )
    groups: dict[int, set[int]] = {}
    for candidate_id, task_id in through:
        groups.setdefault(candidate_id, set()).add(task_id)
    return list(groups.values())


def _overlaps(cluster: Cluster, dismissed: list[set[int]]) -> bool:
    members = set(cluster.members)
    return any(len(members & group) >= DISMISSED_OVERLAP * len(members) for group in dismissed)


def _create(cluster: Cluster, titles: dict[int, str], now: datetime) -> Candidate:
    scope, scope_id = cluster.scope
    candidate = Candidate.objects.create(
        signature=cluster.signature,
        title=_title(cluster, titles),
        terms=cluster.terms,
        service_id=scope_id if scope == "service" else None,
        configuration_item_id=scope_id if scope == "ci" else None,
        size=cluster.size,
        confidence=cluster.confidence,
        last_seen_at=now,
    )
    candidate.members.set(cluster.members)
    return candidate


def _refresh(candidate: Candidate, cluster: Cluster, now: datetime) -> None:
    candidate.size, candidate.confidence, candidate.terms, candidate.last_seen_at = (
        cluster.size,
        cluster.confidence,
        cluster.terms,
        now,
    )
    candidate.save(update_fields=["size", "confidence", "terms", "last_seen_at"])
    candidate.members.set(cluster.members)


def _title(cluster: Cluster, titles: dict[int, str]) -> str:
    """The member title that contains most of the cluster's strongest terms."""

    def score(member: int) -> int:
        text = titles[member].lower()
        return sum(term in text for term in cluster.terms[:4])

    best = max(cluster.members, key=score)
    return f"Recurring: {titles[best][:200]}"


def accept_candidate(candidate: Candidate, *, actor: User, title: str = "") -> Problem:
    """Create the problem for a proposed cluster and link its (still unlinked) incidents."""
    require_problem_manager(actor, "accept proposed problems")
    with transaction.atomic():
        record = Candidate.objects.select_for_update().get(pk=candidate.pk)
        _require_proposed(record)
        members = list(record.members.order_by("pk"))
        problem = create_problem(
            actor=actor,
            title=(title.strip() or record.title)[:250],
            description=_description(record),
            service=record.service,
            configuration_item=record.configuration_item,
            impact=Impact.MEDIUM,
            urgency=Urgency.MEDIUM,
        )
        link_incidents(problem, members, actor=actor)
        record.status, record.problem = CandidateStatus.ACCEPTED, problem
        record.decided_by, record.decided_at = actor, timezone.now()
        record.save(update_fields=["status", "problem", "decided_by", "decided_at"])
    return problem


def _description(candidate: Candidate) -> str:
    return (
        f"Proposed from {candidate.size} similar incidents (confidence {candidate.confidence:.0%}); "
        f"common words: {', '.join(candidate.terms)}."
    )


def dismiss_candidate(candidate: Candidate, *, actor: User, reason: str = "") -> Candidate:
    """Dismiss: the same cluster is never proposed again."""
    require_problem_manager(actor, "dismiss proposed problems")
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason under 2,000 characters."})
    with transaction.atomic():
        record = Candidate.objects.select_for_update().get(pk=candidate.pk)
        _require_proposed(record)
        record.status, record.dismiss_reason = CandidateStatus.DISMISSED, reason.strip()
        record.decided_by, record.decided_at = actor, timezone.now()
        record.save(update_fields=["status", "dismiss_reason", "decided_by", "decided_at"])
    return record


def _require_proposed(candidate: Candidate) -> None:
    if candidate.status != CandidateStatus.PROPOSED:
        raise TransitionNotAllowed(f"This proposal was already {candidate.get_status_display().lower()}.")
