"""What the overview needs from the incidents app, provided without `itsm/` importing it.

The incidents app owns major incidents and satisfaction ratings; it registers an
`IncidentFacts` from its `AppConfig.ready()`. Without a registration (a platform without the
incidents app) the overview says CSAT is not collected and counts no major incidents.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class IncidentFacts:
    """`major()`: a condition on `core.Task` selecting accepted major incidents.

    `ratings()`: rating rows with `task_id`, `resolved_at` (the resolution rated), `score` (1–5)
    and `created_at`.
    """

    major: Callable[[], Q]
    ratings: Callable[[], QuerySet]


_facts: IncidentFacts | None = None


def register_incident_facts(facts: IncidentFacts) -> None:
    global _facts
    _facts = facts


def incident_facts() -> IncidentFacts | None:
    return _facts


def major_condition() -> Q:
    """Accepted major incidents; matches nothing when no app provides them."""
    return _facts.major() if _facts else Q(pk__in=[])
