"""Raising a problem and editing its fields (not its state: that is what transitions are for)."""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.services import priority_for
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import Impact, TaskKind, TimelineKind, Urgency
from itsm.core.locking import save_locked
from itsm.core.models import Team
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_field_changes
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks
from problems.models import Problem
from problems.services.common import locked, require_staff
from problems.workflow import PROBLEM_WORKFLOW

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "service",
        "configuration_item",
        "impact",
        "urgency",
        "assignment_group",
        "assignee",
    }
)


def create_problem(
    *,
    actor: User,
    title: str,
    description: str = "",
    service: Service | None = None,
    configuration_item: ConfigurationItem | None = None,
    impact: int = Impact.MEDIUM,
    urgency: int = Urgency.MEDIUM,
    assignment_group: Team | None = None,
    assignee: User | None = None,
) -> Problem:
    """Open a problem; priority comes from the incidents' impact × urgency matrix."""
    require_staff(actor, "raise problems")
    problem = Problem(
        kind=TaskKind.PROBLEM,
        title=" ".join(title.split())[:250],
        description=description.strip(),
        requester=actor,
        service=service,
        configuration_item=configuration_item,
        impact=impact,
        urgency=urgency,
        assignment_group=assignment_group,
        assignee=assignee,
        state=PROBLEM_WORKFLOW.initial,
        state_category=PROBLEM_WORKFLOW.category_of(PROBLEM_WORKFLOW.initial),
    )
    _validate(problem)
    problem.priority = priority_for(impact, urgency)
    with transaction.atomic():
        problem.number = next_number(TaskKind.PROBLEM)
        problem.save()
        record_event(problem, "problem.created", actor=actor, kind=TimelineKind.SYSTEM)
        attach_clocks(problem)
    return problem


def update_problem(
    problem: Problem, *, actor: User, changes: dict[str, Any], expected_version: int | None = None
) -> Problem:
    """Apply field changes; priority follows impact and urgency through the matrix."""
    require_staff(actor, "edit problems")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be edited here."))
    with transaction.atomic():
        record = locked(problem, expected_version)
        clocks_before = clock_snapshot(record)
        tracked = [*changes, "priority"]
        before = {name: getattr(record, name) for name in tracked}
        for name, value in changes.items():
            setattr(record, name, value.strip() if isinstance(value, str) else value)
        record.priority = priority_for(record.impact, record.urgency)
        _validate(record)
        after = {name: getattr(record, name) for name in tracked}
        if record_field_changes(record, "problem.updated", actor=actor, before=before, after=after) is None:
            return record
        save_locked(record, update_fields=[name for name in tracked if before[name] != after[name]])
        sync_clocks(record, before=clocks_before)
    return record


def _validate(problem: Problem) -> None:
    errors = {}
    if not problem.title:
        errors["title"] = "Say in a few words what the problem is."
    if problem.impact not in Impact.values:
        errors["impact"] = "Choose an impact from 1 to 3."
    if problem.urgency not in Urgency.values:
        errors["urgency"] = "Choose an urgency from 1 to 3."
    if problem.assignee and not problem.assignee.is_active:
        errors["assignee"] = f"{problem.assignee} is inactive."
    elif (
        problem.assignee
        and problem.assignment_group
        and not problem.assignment_group.members.filter(pk=problem.assignee.pk).exists()
    ):
        errors["assignee"] = f"{problem.assignee} is not a member of {problem.assignment_group}."
    if errors:
        raise ValidationError(errors)
