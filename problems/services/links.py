"""Linking incidents to their problem (many to one) and a problem to its fix change."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.core.choices import TaskKind
from itsm.core.models import Task, TaskLink
from itsm.core.services.activity import link_tasks, unlink_tasks
from problems.models import FIX_LINK, INCIDENT_LINK, Problem
from problems.services.common import incident_by_number, require_staff
from problems.workflow import PROBLEM_WORKFLOW

#: How many incidents one bulk link may carry (the incident queue's page is smaller).
MAX_BULK = 500


@dataclass
class LinkOutcome:
    """How linking one incident went."""

    number: str
    ok: bool
    message: str


def link_incidents(problem: Problem, incidents: list[Task], *, actor: User) -> list[LinkOutcome]:
    """Link incidents to the problem, each at most to one problem; each incident is reported on.

    An incident already linked to this problem, to another problem, or that is not an
    incident is refused with its own message; the others are linked (timeline on both sides).
    """
    require_staff(actor, "link incidents to problems")
    if problem.state_category in ("closed", "cancelled"):
        raise ValidationError(
            {
                "incidents": f"{problem.number} is {PROBLEM_WORKFLOW.label_of(problem.state).lower()}: "
                "link to an open problem."
            }
        )
    if len(incidents) > MAX_BULK:
        raise ValidationError({"incidents": f"Link at most {MAX_BULK} incidents at a time."})
    existing = dict(
        TaskLink.objects.filter(
            source__in=[task.pk for task in incidents], kind=INCIDENT_LINK, target__kind=TaskKind.PROBLEM
        ).values_list("source_id", "target__number")
    )
    outcomes = []
    with transaction.atomic():
        for task in incidents:
            outcomes.append(_link_one(problem, task, existing.get(task.pk), actor))
    return outcomes


def link_incident_numbers(problem: Problem, numbers: list[str], *, actor: User) -> list[LinkOutcome]:
    """`link_incidents` for numbers typed by a person; unknown numbers are reported, not fatal."""
    tasks, outcomes = [], []
    for number in numbers:
        try:
            tasks.append(incident_by_number(number))
        except ValidationError as error:
            outcomes.append(LinkOutcome(number, False, " ".join(error.messages)))
    if not numbers:
        raise ValidationError({"incidents": "Give at least one incident number."})
    return outcomes + link_incidents(problem, tasks, actor=actor)


def _link_one(problem: Problem, task: Task, linked_to: str | None, actor: User) -> LinkOutcome:
    if task.kind != TaskKind.INCIDENT:
        return LinkOutcome(task.number, False, f"{task.number} is not an incident.")
    if linked_to == problem.number:
        return LinkOutcome(task.number, False, f"{task.number} is already linked to {problem.number}.")
    if linked_to:
        return LinkOutcome(task.number, False, f"{task.number} is already linked to problem {linked_to}.")
    link_tasks(task, problem, INCIDENT_LINK, actor=actor)
    return LinkOutcome(task.number, True, f"Linked to {problem.number}.")


def unlink_incident(problem: Problem, incident: Task, *, actor: User) -> None:
    require_staff(actor, "unlink incidents from problems")
    link = (
        TaskLink.objects.filter(source=incident.pk, target=problem.pk, kind=INCIDENT_LINK)
        .select_related("source", "target")
        .first()
    )
    if link is None:
        raise ValidationError({"incident": f"{incident.number} is not linked to {problem.number}."})
    unlink_tasks(link, actor=actor)  # notes it on both timelines


def set_fix_change(problem: Problem, *, actor: User, number: str) -> TaskLink:
    """Link the change that removes the cause; closing then waits for that change to complete."""
    require_staff(actor, "link fix changes")
    number = number.strip().upper()
    change = Task.objects.filter(number=number).first()
    if change is None or change.kind != TaskKind.CHANGE:
        raise ValidationError({"change": f"There is no change numbered {number or '(empty)'}."})
    if TaskLink.objects.filter(source=problem.pk, target=change.pk, kind=FIX_LINK).exists():
        raise ValidationError({"change": f"{change.number} is already the fix of {problem.number}."})
    return link_tasks(problem, change, FIX_LINK, actor=actor)


def link_incident_to_problem(incident: Task, *, actor: User, problem_number: str) -> None:
    """One incident to a problem given by number (the incident queue's bulk action); refusals raise."""
    number = problem_number.strip().upper()
    problem = Problem.objects.visible_to(actor).filter(number=number).first()
    if problem is None:
        raise ValidationError({"problem": f"There is no problem numbered {number or '(empty)'}."})
    (outcome,) = link_incidents(problem, [incident], actor=actor)
    if not outcome.ok:
        raise ValidationError({"problem": outcome.message})
