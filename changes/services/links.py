"""Links to other practices: problems a change fixes, incidents a change caused, and the impact
of a change on services from the CMDB.

Other practices are reached through `core.TaskLink` and their `services` module only.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

import problems.services as problem_services
from changes.choices import CloseCode
from changes.models import Change
from changes.services.common import require_staff
from itsm.cmdb.impact import impact_of
from itsm.cmdb.models import Service
from itsm.core.choices import LinkKind, TaskKind
from itsm.core.models import Task, TaskLink
from itsm.core.services.activity import add_comment, link_tasks

#: problem *resolved by* change, and incident *caused by* change.
FIX_LINK = LinkKind.RESOLVED_BY
CAUSE_LINK = LinkKind.CAUSED_BY
#: The problem state in which a completed fix change resolves the problem.
PROBLEM_FIXING = "fix_in_progress"


def link_caused_incident(change: Change, *, actor: User, number: str) -> TaskLink:
    """Record that the incident `number` was caused by this change (it feeds the risk history)."""
    require_staff(actor, "link incidents")
    incident = _task_numbered(number, TaskKind.INCIDENT, "incident")
    return link_tasks(incident, change, CAUSE_LINK, actor=actor)


def link_fixed_problem(change: Change, *, actor: User, number: str) -> TaskLink:
    """Record that this change fixes the problem `number` (through the problem practice's service)."""
    require_staff(actor, "link problems")
    task = _task_numbered(number, TaskKind.PROBLEM, "problem")
    return problem_services.set_fix_change(task.problem, actor=actor, number=change.number)


def fixed_problems(change: Change) -> list[Task]:
    links = TaskLink.objects.filter(target_id=change.pk, kind=FIX_LINK, source__kind=TaskKind.PROBLEM)
    return [link.source for link in links.select_related("source").order_by("source_id")]


def caused_incidents(change: Change) -> list[Task]:
    links = TaskLink.objects.filter(target_id=change.pk, kind=CAUSE_LINK, source__kind=TaskKind.INCIDENT)
    return [link.source for link in links.select_related("source").order_by("source_id")]


def advance_fixed_problems(change: Change, actor: User) -> None:
    """The change closed: a problem waiting on this fix is resolved when it went well; otherwise
    the problem gets a work note saying the fix did not work."""
    succeeded = change.close_code in (CloseCode.SUCCESSFUL, CloseCode.SUCCESSFUL_WITH_ISSUES)
    outcome = CloseCode(change.close_code).label.lower() if change.close_code else "closed"
    for task in fixed_problems(change):
        problem = task.problem
        if succeeded and problem.state == PROBLEM_FIXING:
            notes = f"Fixed by change {change.number} “{change.title}” ({outcome})."
            problem_services.resolve_problem(problem, actor=actor, resolution_code="fixed", notes=notes)
        else:
            body = f"The fix change {change.number} was closed: {outcome}."
            if not succeeded:
                body += " The cause is not removed; plan another fix."
            add_comment(task, actor=actor, body=body, is_public=False)


@dataclass
class ImpactSummary:
    """What the change touches: the services it names and those its CIs support, by criticality."""

    services: list[Service] = field(default_factory=list)
    via_cis: dict[int, list[str]] = field(default_factory=dict)
    ci_total: int = 0

    @property
    def critical(self) -> list[Service]:
        return [s for s in self.services if s.criticality == 1]


def impact_summary(change: Change) -> ImpactSummary:
    """Affected services from the CMDB: the named ones plus every service above the affected CIs."""
    summary = ImpactSummary()
    seen: dict[int, Service] = {s.pk: s for s in change.affected_services.all()}
    for service in seen.values():
        summary.via_cis.setdefault(service.pk, [])
    for ci in change.affected_cis.all():
        impact = impact_of(ci, ci_limit=50)
        summary.ci_total += impact.ci_total
        for service in impact.services:
            seen.setdefault(service.pk, service)
            summary.via_cis.setdefault(service.pk, []).append(ci.name)
    summary.services = sorted(seen.values(), key=lambda s: (s.criticality, s.name))
    return summary


def _task_numbered(number: str, kind: str, label: str) -> Task:
    number = (number or "").strip().upper()
    task = Task.objects.filter(number=number, kind=kind).first()
    if task is None:
        raise ValidationError({"number": f"There is no {label} numbered {number or '(empty)'}."})
    return task
