"""The known-error database as agents meet it: suggestions on an incident, and the knowledge hook.

Candidates are known errors (root cause and workaround documented, problem not closed) that
share the incident's service or configuration item, or its words. PostgreSQL finds the text
matches with full-text search (`to_tsvector @@ to_tsquery`, ranked); SQLite with `LIKE` on the
incident's strongest words. Both paths are ranked the same way in Python: the TF-IDF cosine
of the texts plus a bonus for the same CI or service.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from itsm.core.exceptions import DomainError
from itsm.core.models import Task, TaskLink
from itsm.core.services.timeline import record_event
from problems.models import INCIDENT_LINK, Problem
from problems.services.common import require_staff
from problems.text import cosine, tfidf, words

#: How many of the incident's words go into the text query.
QUERY_WORDS = 8
#: Known errors read for ranking (they are few; this bounds the work anyway).
CANDIDATE_LIMIT = 200
CI_BONUS, SERVICE_BONUS = 0.35, 0.2
#: Below this score a known error is not worth an agent's attention.
MIN_SCORE = 0.12


@dataclass
class Suggestion:
    problem: Problem
    score: float
    reason: str
    linked: bool


def suggest_known_errors(incident: Task, *, limit: int = 5) -> list[Suggestion]:
    """Known errors that probably explain `incident`, best first."""
    incident_words = words(f"{incident.title} {incident.description[:2000]}")
    scope = Q()
    if incident.configuration_item_id:
        scope |= Q(configuration_item_id=incident.configuration_item_id) | Q(
            affected_cis=incident.configuration_item_id
        )
    if incident.service_id:
        scope |= Q(service_id=incident.service_id)
    text = _text_match(incident_words)
    condition = scope | text if scope and text else scope or text
    if not condition:
        return []
    problems = list(
        Problem.objects.known_errors()
        .filter(condition)
        .distinct()
        .select_related("service", "configuration_item")[:CANDIDATE_LIMIT]
    )
    linked_to = set(
        TaskLink.objects.filter(source_id=incident.pk, kind=INCIDENT_LINK).values_list("target_id", flat=True)
    )
    ranked = [_score(problem, incident, incident_words, linked_to) for problem in problems]
    ranked = [s for s in ranked if s.score >= MIN_SCORE or s.linked]
    return sorted(ranked, key=lambda s: (not s.linked, -s.score, -s.problem.pk))[:limit]


def _text_match(incident_words: list[str]) -> Q:
    strongest = sorted(set(incident_words), key=lambda w: (-len(w), w))[:QUERY_WORDS]
    if not strongest:
        return Q()
    if connection.vendor == "postgresql":
        query = reduce(or_, (SearchQuery(word, config="english") for word in strongest))
        vector = SearchVector("title", "description", "root_cause", "workaround", config="english")
        ids = Problem.objects.known_errors().annotate(search=vector).filter(search=query).values("pk")
        return Q(pk__in=ids)
    return reduce(
        or_,
        (Q(title__icontains=w) | Q(workaround__icontains=w) | Q(root_cause__icontains=w) for w in strongest),
    )


def _score(problem: Problem, incident: Task, incident_words: list[str], linked_to: set[int]) -> Suggestion:
    known = words(
        f"{problem.title} {problem.title} {problem.description} {problem.root_cause} {problem.workaround}"
    )
    similarity = cosine(tfidf(incident_words, {}), tfidf(known, {}))
    reasons = []
    score = similarity
    if incident.configuration_item_id and (problem.configuration_item_id == incident.configuration_item_id):
        score += CI_BONUS
        reasons.append("same configuration item")
    elif incident.service_id and problem.service_id == incident.service_id:
        score += SERVICE_BONUS
        reasons.append("same service")
    if similarity >= 0.1:
        reasons.append("similar words")
    return Suggestion(problem, round(score, 3), ", ".join(reasons) or "related", problem.pk in linked_to)


class FeatureUnavailable(DomainError):
    """A feature that depends on a practice which is not installed yet."""

    code = "feature_unavailable"
    http_status = 409


def knowledge_publishing_available() -> bool:
    """True once `knowledge.services` offers `publish_known_error_article`."""
    try:
        import knowledge.services as knowledge_services
    except ImportError:
        return False
    return hasattr(knowledge_services, "publish_known_error_article")


def publish_known_error_article(problem: Problem, *, actor: User):
    """Hand a known error to the knowledge practice as an article (root cause and workaround).

    The hook is here so the problem side is finished; until the knowledge practice provides
    `knowledge.services.publish_known_error_article`, it refuses with a clear message.
    """
    require_staff(actor, "publish known errors")
    if not problem.known_error:
        raise ValidationError(
            {"__all__": "Only a known error (root cause and workaround documented) can be published."}
        )
    if not knowledge_publishing_available():
        raise FeatureUnavailable(
            "Publishing known errors as knowledge articles needs the knowledge practice, "
            "which is not available yet. "
            "The workaround is already offered to agents on matching incidents."
        )
    import knowledge.services as knowledge_services

    with transaction.atomic():
        article = knowledge_services.publish_known_error_article(
            actor=actor,
            title=problem.title,
            cause=problem.root_cause,
            workaround=problem.workaround,
            source=problem,
        )
        record_event(problem, "problem.article_published", actor=actor, body=str(article))
    return article
