"""What a problem's progress does to its linked incidents: work notes, and resolving them in one step.

Incidents are reached through `core.TaskLink` and changed only through `incidents.services`
(or the core's comment service for work notes), never through the incident models.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

import incidents.services as incident_services
from itsm.core.exceptions import DomainError
from itsm.core.models import Task
from itsm.core.services.activity import add_comment
from itsm.notifications.services import notify_user
from problems.models import Problem, linked_incidents_of
from problems.services.common import require_staff


def open_linked_incidents(problem: Problem) -> list[Task]:
    return list(linked_incidents_of(problem.pk).active().select_related("assignee").order_by("pk"))


def note_resolution_on_incidents(problem: Problem, *, actor: User) -> int:
    """A work note on each open linked incident: the cause is fixed; the assignee hears of it."""
    body = (
        f"Problem {problem.number} “{problem.title}” is resolved: {problem.resolution_notes}\n"
        "This incident can now be resolved (the problem page resolves all its open incidents in one step)."
    )
    incidents = open_linked_incidents(problem)
    for incident in incidents:
        add_comment(incident, actor=actor, body=body, is_public=False)
        if incident.assignee_id and incident.assignee_id != actor.pk:
            notify_user(
                incident.assignee,
                title=f"The cause of {incident.number} is fixed ({problem.number})",
                body=problem.resolution_notes,
                url=incident.get_absolute_url(),
                task=incident,
                dedupe_key=f"problem:{problem.pk}:resolved:v{problem.version}:{incident.pk}",
            )
    return len(incidents)


def note_workaround_on_incidents(problem: Problem, *, actor: User) -> int:
    """A work note with the published workaround on each open linked incident."""
    body = f"Workaround published on problem {problem.number} “{problem.title}”:\n{problem.workaround}"
    incidents = open_linked_incidents(problem)
    for incident in incidents:
        add_comment(incident, actor=actor, body=body, is_public=False)
    return len(incidents)


@dataclass
class Outcome:
    number: str
    ok: bool
    message: str


def resolve_linked_incidents(
    problem: Problem, *, actor: User, notes: str = "", resolution_code: str = "permanent"
) -> list[Outcome]:
    """Resolve every open incident linked to a resolved problem, each through the incident service.

    One incident that cannot move (someone is editing it, its state forbids it) is reported
    and skipped; the others are resolved.
    """
    require_staff(actor, "resolve incidents")
    if problem.state_category not in ("resolved", "closed"):
        raise ValidationError(
            {"notes": "Resolve the problem first; then its incidents can be resolved with it."}
        )
    text = notes.strip() or f"Fixed by problem {problem.number}: {problem.resolution_notes}"
    outcomes = []
    for task in open_linked_incidents(problem):
        try:
            with transaction.atomic():
                incident_services.resolve_incident(
                    task.incident, actor=actor, resolution_code=resolution_code, notes=text
                )
        except (DomainError, ValidationError) as error:
            message = getattr(error, "message", None) or " ".join(error.messages)
            outcomes.append(Outcome(task.number, False, message))
        else:
            outcomes.append(Outcome(task.number, True, "Resolved"))
    return outcomes
