"""Helpers shared by the problem services: locking, who may do what, record lookups."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from itsm.core import roles
from itsm.core.choices import TaskKind
from itsm.core.exceptions import PermissionDenied
from itsm.core.locking import lock_for_update
from itsm.core.models import Task
from problems.models import Problem

#: Who decides on proposed problems: the "problem manager" rule (see docs/architecture.md).
PROBLEM_MANAGER_ROLES = (roles.Role.MANAGER, roles.Role.ADMIN)


def locked(problem: Problem, expected_version: int | None) -> Problem:
    """The problem's row, locked for this transaction, checked against the caller's version."""
    return lock_for_update(Problem.objects.all(), problem.pk, expected_version=expected_version)


def require_staff(actor: User, doing: str) -> None:
    """Problems are internal: only agents and above work them (requesters never see them)."""
    if not roles.is_staff_member(actor):
        raise PermissionDenied(f"Only agents can {doing}.")


def is_problem_manager(user: User) -> bool:
    return roles.has_role(user, *PROBLEM_MANAGER_ROLES)


def require_problem_manager(actor: User, doing: str) -> None:
    if not is_problem_manager(actor):
        raise PermissionDenied(f"Only problem managers (managers) can {doing}.")


def incident_by_number(number: str) -> Task:
    """An incident's Task row by its number; a field error when there is none."""
    number = number.strip().upper()
    task = Task.objects.filter(number=number).first()
    if task is None:
        raise ValidationError({"incidents": f"There is no record numbered {number or '(empty)'}."})
    if task.kind != TaskKind.INCIDENT:
        raise ValidationError({"incidents": f"{task.number} is not an incident."})
    return task


def parse_numbers(text: str) -> list[str]:
    """Record numbers typed as a list: commas, spaces or new lines between them; duplicates dropped."""
    seen: dict[str, None] = {}
    for part in text.replace(",", " ").split():
        seen.setdefault(part.strip().upper(), None)
    return list(seen)
