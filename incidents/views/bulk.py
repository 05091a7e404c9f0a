"""Bulk actions from a queue: one service call per row, so one refused row never blocks the others.

Each row carries the version it was listed with; a row someone changed since is refused as
stale (its own result says so) instead of being overwritten blind.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from incidents import services
from incidents.forms import ChoiceLists
from incidents.models import Incident
from itsm.core.exceptions import DomainError
from problems.services import link_incident_to_problem


@dataclass
class RowResult:
    """How one selected row fared."""

    pk: int
    number: str
    url: str
    ok: bool
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def run(actor: User, data: dict, lists: ChoiceLists) -> list[RowResult]:
    """Apply `data["action"]` to every selected row in the order they were listed."""
    action, done = ACTIONS[data["action"]]
    keys = data["rows"]
    found = Incident.objects.visible_to(actor).in_bulk([pk for pk, _version in keys])
    results = []
    for pk, version in keys:
        incident = found.get(pk)
        if incident is None:
            results.append(RowResult(pk, f"#{pk}", "", False, "Not found, or not visible to you."))
            continue
        results.append(_one(incident, lambda i, v=version: action(i, actor, v, data, lists), done))
    return results


def _one(incident: Incident, call: Callable[[Incident], None], done: str) -> RowResult:
    try:
        call(incident)
    except ValidationError as error:
        message = " ".join(error.messages)
    except DomainError as error:
        message = error.message
    else:
        return RowResult(incident.pk, incident.number, incident.get_absolute_url(), True, done)
    return RowResult(incident.pk, incident.number, incident.get_absolute_url(), False, message)


def _group_for(incident: Incident, assignee: User | None, lists: ChoiceLists):
    """Keep the incident's group when the new assignee belongs to it (or nobody is named)."""
    group = incident.assignment_group if incident.assignment_group_id else None
    if assignee is None or group is None:
        return group
    members = next((users for team, users in lists.members if team.pk == group.pk), [])
    return group if any(user.pk == assignee.pk for user in members) else None


def _assign(incident, actor, version, data, lists) -> None:
    assignee = data.get("assignee")
    group = data.get("group") or _group_for(incident, assignee, lists)
    services.assign_incident(incident, actor=actor, group=group, assignee=assignee, expected_version=version)


def _assign_me(incident, actor, version, data, lists) -> None:
    group = _group_for(incident, actor, lists)
    services.assign_incident(incident, actor=actor, group=group, assignee=actor, expected_version=version)


def _start(incident, actor, version, data, lists) -> None:
    services.start_incident(incident, actor=actor, expected_version=version)


def _hold(incident, actor, version, data, lists) -> None:
    services.hold_incident(incident, actor=actor, reason=data["hold_reason"], expected_version=version)


def _resolve(incident, actor, version, data, lists) -> None:
    services.resolve_incident(
        incident,
        actor=actor,
        resolution_code=data["resolution_code"],
        notes=data["notes"],
        expected_version=version,
    )


def _cancel(incident, actor, version, data, lists) -> None:
    services.cancel_incident(incident, actor=actor, expected_version=version)


def _note(incident, actor, version, data, lists) -> None:
    services.add_reply(incident, actor=actor, body=data["note"], public=False)


def _link_problem(incident, actor, version, data, lists) -> None:
    link_incident_to_problem(incident, actor=actor, problem_number=data["problem"])


#: action → (what to do with one row, what its result says when it worked)
ACTIONS: dict[str, tuple[Callable, str]] = {
    "assign": (_assign, "Assigned."),
    "assign_me": (_assign_me, "Assigned to you."),
    "start": (_start, "Work started."),
    "hold": (_hold, "Put on hold."),
    "resolve": (_resolve, "Resolved."),
    "cancel": (_cancel, "Cancelled."),
    "note": (_note, "Work note added."),
    "link_problem": (_link_problem, "Linked to the problem."),
}
