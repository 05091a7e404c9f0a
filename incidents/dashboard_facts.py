"""The incident facts the platform's service desk overview counts: major incidents and CSAT.

Registered with `itsm.dashboards.providers` from `IncidentsConfig.ready()`, so the platform
reads them without importing this app.
"""

from django.db.models import F, Q, QuerySet

from incidents.choices import MajorIncidentState
from incidents.models import Incident, Rating
from itsm.dashboards.providers import IncidentFacts, register_incident_facts


def major() -> Q:
    """Accepted major incidents (proposed ones are not major yet), on the partial major index."""
    return Q(pk__in=Incident.objects.filter(major_state=MajorIncidentState.ACCEPTED).values("pk"))


def ratings() -> QuerySet:
    return Rating.objects.values("resolved_at", "score", "created_at", task_id=F("incident_id"))


def register() -> None:
    register_incident_facts(IncidentFacts(major=major, ratings=ratings))
