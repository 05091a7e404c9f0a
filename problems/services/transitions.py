"""Lifecycle moves, checked by the workflow table; resolution tells the linked incidents."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from itsm.core.locking import save_locked
from itsm.core.services.timeline import record_state_change
from itsm.sla.services import clock_snapshot, sync_clocks
from problems.models import Problem
from problems.services.common import locked, require_staff
from problems.services.propagation import note_resolution_on_incidents
from problems.workflow import PROBLEM_WORKFLOW

MOVE_FIELDS = [
    "state",
    "state_category",
    "resolution_code",
    "resolution_notes",
    "close_reason",
    "resolved_at",
    "closed_at",
]


def assess_problem(problem: Problem, *, actor: User, expected_version: int | None = None) -> Problem:
    return _move(problem, "assess", actor=actor, expected_version=expected_version)


def analyse_problem(problem: Problem, *, actor: User, expected_version: int | None = None) -> Problem:
    return _move(problem, "analyse", actor=actor, expected_version=expected_version)


def start_fix(problem: Problem, *, actor: User, expected_version: int | None = None) -> Problem:
    return _move(problem, "fix", actor=actor, expected_version=expected_version)


def resolve_problem(
    problem: Problem, *, actor: User, resolution_code: str, notes: str, expected_version: int | None = None
) -> Problem:
    """Resolve; every open incident linked to the problem gets a work note saying so."""

    def set_resolution(record: Problem) -> None:
        record.resolution_code, record.resolution_notes = resolution_code, notes.strip()

    with transaction.atomic():
        record = _move(
            problem, "resolve", actor=actor, expected_version=expected_version, prepare=set_resolution
        )
        note_resolution_on_incidents(record, actor=actor)
    return record


def reopen_problem(
    problem: Problem, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Problem:
    def clear(record: Problem) -> None:
        record.resolution_code, record.resolution_notes, record.resolved_at = "", "", None

    return _move(
        problem, "reopen", actor=actor, expected_version=expected_version, prepare=clear, note=reason
    )


def close_problem(
    problem: Problem, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Problem:
    """Close: the fix change must be completed, or `reason` says why the problem closes without it."""

    def set_reason(record: Problem) -> None:
        record.close_reason = reason.strip()

    return _move(problem, "close", actor=actor, expected_version=expected_version, prepare=set_reason)


def cancel_problem(
    problem: Problem, *, actor: User, reason: str, expected_version: int | None = None
) -> Problem:
    def set_reason(record: Problem) -> None:
        record.close_reason = reason.strip()

    return _move(problem, "cancel", actor=actor, expected_version=expected_version, prepare=set_reason)


#: Service per workflow move, for the pages and the API.
MOVES: dict[str, Callable[..., Problem]] = {
    "assess": assess_problem,
    "analyse": analyse_problem,
    "fix": start_fix,
    "resolve": resolve_problem,
    "reopen": reopen_problem,
    "close": close_problem,
    "cancel": cancel_problem,
}


def _move(
    problem: Problem,
    name: str,
    *,
    actor: User,
    expected_version: int | None = None,
    prepare: Callable[[Problem], None] | None = None,
    note: str = "",
) -> Problem:
    """Lock, prepare fields, check and apply the transition, save, write the timeline, sync clocks."""
    require_staff(actor, "work on problems")
    with transaction.atomic():
        record = locked(problem, expected_version)
        before = clock_snapshot(record)
        if prepare:
            prepare(record)
        old, new = PROBLEM_WORKFLOW.apply(record, name)
        _stamp_times(record, name)
        save_locked(record, update_fields=MOVE_FIELDS)
        sync_clocks(record, before=before)
        record_state_change(
            record, f"problem.{name}", actor=actor, old=old, new=new, body=_body(record, name, note)
        )
    return record


def _stamp_times(record: Problem, name: str) -> None:
    now = timezone.now()
    if name == "resolve":
        record.resolved_at = now
    elif name in ("close", "cancel"):
        record.closed_at = now
    elif name == "reopen":
        record.closed_at = None


def _body(record: Problem, name: str, note: str) -> str:
    if name == "resolve":
        return f"{record.get_resolution_code_display()}: {record.resolution_notes}"
    if name in ("close", "cancel"):
        return record.close_reason
    return note.strip()
