"""Raising and editing changes: by hand, from a standard-change template, or from a catalog order."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from changes.choices import ChangeType, RiskLevel
from changes.models import Change, ChangeTask, StandardChangeTemplate
from changes.services.common import clean_text, is_change_manager, locked, notify, require_staff
from changes.workflow import ASSESS, CHANGE_TASK_WORKFLOW, CHANGE_WORKFLOW, NEW
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import Impact, Priority, TaskKind, TimelineKind, Urgency
from itsm.core.locking import save_locked
from itsm.core.models import Team
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_field_changes
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks

#: Fields `update_change` accepts. The plan, the window and the scope are what the CAB
#: authorizes, so they are frozen once the change has left assessment (`PLAN_FIELDS`).
PLAN_FIELDS = frozenset(
    {
        "reason",
        "implementation_plan",
        "backout_plan",
        "test_plan",
        "planned_start",
        "planned_end",
        "affected_services",
        "affected_cis",
        "change_type",
    }
)
EDITABLE_FIELDS = PLAN_FIELDS | {
    "title",
    "description",
    "impact",
    "urgency",
    "priority",
    "assignment_group",
    "assignee",
    "change_manager",
    "service",
    "configuration_item",
}
M2M_FIELDS = ("affected_services", "affected_cis")


def create_change(
    *,
    actor: User,
    title: str,
    change_type: str = ChangeType.NORMAL,
    description: str = "",
    reason: str = "",
    implementation_plan: str = "",
    backout_plan: str = "",
    test_plan: str = "",
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    assignment_group: Team | None = None,
    assignee: User | None = None,
    change_manager: User | None = None,
    service: Service | None = None,
    configuration_item: ConfigurationItem | None = None,
    affected_services: list[Service] | None = None,
    affected_cis: list[ConfigurationItem] | None = None,
    impact: int = Impact.MEDIUM,
    urgency: int = Urgency.MEDIUM,
    template: StandardChangeTemplate | None = None,
) -> Change:
    """Raise a change (state New). Only agents raise changes; the raiser is its requester.

    A standard change must come from an active template (that is what makes it pre-approved).
    """
    require_staff(actor, "raise changes")
    return _create_change(
        actor=actor,
        title=title,
        change_type=change_type,
        description=description,
        reason=reason,
        implementation_plan=implementation_plan,
        backout_plan=backout_plan,
        test_plan=test_plan,
        planned_start=planned_start,
        planned_end=planned_end,
        assignment_group=assignment_group,
        assignee=assignee,
        change_manager=change_manager,
        service=service,
        configuration_item=configuration_item,
        affected_services=affected_services,
        affected_cis=affected_cis,
        impact=impact,
        urgency=urgency,
        template=template,
    )


def _create_change(
    *,
    actor: User | None,
    title: str,
    change_type: str,
    description: str,
    reason: str,
    implementation_plan: str,
    backout_plan: str,
    test_plan: str,
    planned_start: datetime | None,
    planned_end: datetime | None,
    assignment_group: Team | None,
    assignee: User | None,
    change_manager: User | None,
    service: Service | None,
    configuration_item: ConfigurationItem | None,
    affected_services: list[Service] | None,
    affected_cis: list[ConfigurationItem] | None,
    impact: int,
    urgency: int,
    template: StandardChangeTemplate | None,
    pre_approved_by: str = "",
) -> Change:
    """The write itself; callers have checked who may raise it. `pre_approved_by` names what
    makes a standard change without a template pre-approved (a catalog item)."""
    change = Change(
        kind=TaskKind.CHANGE,
        title=" ".join((title or "").split())[:250],
        description=clean_text(description),
        change_type=change_type,
        reason=clean_text(reason),
        implementation_plan=clean_text(implementation_plan),
        backout_plan=clean_text(backout_plan),
        test_plan=clean_text(test_plan),
        planned_start=planned_start,
        planned_end=planned_end,
        requester=actor,
        assignment_group=assignment_group,
        assignee=assignee,
        change_manager=change_manager,
        service=service,
        configuration_item=configuration_item,
        impact=impact,
        urgency=urgency,
        priority=_priority(impact, urgency),
        template=template,
        state=CHANGE_WORKFLOW.initial,
        state_category=CHANGE_WORKFLOW.category_of(CHANGE_WORKFLOW.initial),
    )
    if template is not None:
        change.risk = template.risk
    elif pre_approved_by:
        change.risk = RiskLevel.LOW
    _validate(change, pre_approved=bool(template or pre_approved_by))
    with transaction.atomic():
        change.number = next_number(TaskKind.CHANGE)
        change.save()
        services = list(affected_services or [])
        cis = list(affected_cis or [])
        _add_primary_scope(change, services, cis)
        change.affected_services.set(services)
        change.affected_cis.set(cis)
        body = f"From the standard change template “{template}”." if template else pre_approved_by
        record_event(change, "change.created", actor=actor, kind=TimelineKind.SYSTEM, body=body)
        attach_clocks(change)
        _notify_assigned(change, actor)
    return change


def create_from_template(
    template: StandardChangeTemplate,
    *,
    actor: User,
    planned_start: datetime | None = None,
    title: str = "",
    description: str = "",
    assignee: User | None = None,
) -> Change:
    """A standard change from a pre-approved template, with the template's tasks in order."""
    require_staff(actor, "raise changes")
    return raise_from_template(
        template,
        actor=actor,
        planned_start=planned_start,
        title=title,
        description=description,
        assignee=assignee,
    )


def raise_from_template(
    template: StandardChangeTemplate,
    *,
    actor: User | None,
    planned_start: datetime | None = None,
    title: str = "",
    description: str = "",
    assignee: User | None = None,
) -> Change:
    """`create_from_template` without the permission check, for the catalog's standard-change hook."""
    if not template.is_active:
        raise ValidationError({"template": f"The template “{template}” is retired."})
    planned_end = planned_start + template.duration if planned_start and template.duration else None
    with transaction.atomic():
        change = _create_change(
            actor=actor,
            title=title or template.name,
            change_type=ChangeType.STANDARD,
            description="\n\n".join(part for part in (description.strip(), template.description) if part),
            reason=template.reason or template.description,
            implementation_plan=template.implementation_plan,
            backout_plan=template.backout_plan,
            test_plan=template.test_plan,
            planned_start=planned_start,
            planned_end=planned_end,
            assignment_group=template.assignment_group,
            assignee=assignee,
            affected_services=list(template.services.all()),
            affected_cis=list(template.configuration_items.all()),
            change_manager=None,
            service=None,
            configuration_item=None,
            impact=Impact.MEDIUM,
            urgency=Urgency.MEDIUM,
            template=template,
        )
        for step in template.tasks.all():
            _create_template_task(change, step, actor=actor)
    return change


def update_change(
    change: Change, *, actor: User, changes: dict[str, Any], expected_version: int | None = None
) -> Change:
    """Apply field changes; one timeline entry lists them. Plan fields only before authorization."""
    require_staff(actor, "edit changes")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    with transaction.atomic():
        record = locked(change, expected_version)
        _check_plan_editable(record, changes)
        before_clock = clock_snapshot(record)
        scalar = {name: value for name, value in changes.items() if name not in M2M_FIELDS}
        before = {name: getattr(record, name) for name in [*scalar, "priority"]}
        for name, value in scalar.items():
            setattr(record, name, _clean_value(name, value))
        if {"impact", "urgency"} & set(scalar) and "priority" not in scalar:
            record.priority = _priority(record.impact, record.urgency)
        _validate(record, pre_approved=True)
        after = {name: getattr(record, name) for name in before}
        m2m_changed = _apply_m2m(record, changes, before, after)
        entry = record_field_changes(record, "change.updated", actor=actor, before=before, after=after)
        if entry is None and not m2m_changed:
            return record
        save_locked(record, update_fields=list({*scalar, "priority"}))
        sync_clocks(record, before=before_clock)
        if "assignee" in scalar and record.assignee is not None and record.assignee != before["assignee"]:
            _notify_assigned(record, actor)
    return record


def _check_plan_editable(record: Change, changes: dict[str, Any]) -> None:
    frozen = set(changes) & PLAN_FIELDS
    if frozen and record.state not in (NEW, ASSESS):
        state = CHANGE_WORKFLOW.label_of(record.state).lower()
        raise ValidationError(
            dict.fromkeys(
                sorted(frozen),
                f"The plan, window and scope cannot change while the change is {state}; "
                "send it back for rework (or raise a new change) instead.",
            )
        )
    if "change_type" in changes and changes["change_type"] != record.change_type:
        if record.state != NEW:
            raise ValidationError({"change_type": "The type can only change while the change is new."})
        if ChangeType.STANDARD in (changes["change_type"], record.change_type):
            raise ValidationError({"change_type": "Standard changes come only from a template."})


def _apply_m2m(record: Change, changes: dict[str, Any], before: dict, after: dict) -> bool:
    changed = False
    for name in M2M_FIELDS:
        if name not in changes:
            continue
        manager = getattr(record, name)
        old = sorted(manager.all(), key=lambda obj: obj.pk)
        new = sorted({obj.pk: obj for obj in changes[name]}.values(), key=lambda obj: obj.pk)
        if [o.pk for o in old] != [n.pk for n in new]:
            manager.set(new)
            before[name] = ", ".join(str(o) for o in old) or "—"
            after[name] = ", ".join(str(n) for n in new) or "—"
            changed = True
    return changed


def _clean_value(name: str, value: Any) -> Any:
    if name == "title":
        return " ".join((value or "").split())[:250]
    if isinstance(value, str):
        return clean_text(value)
    return value


def _priority(impact: int, urgency: int) -> int:
    """Changes are planned work: impact × urgency, capped at P2 (a P1 is an outage, not a change)."""
    return max(Priority.HIGH, min(Priority.PLANNING, impact + urgency - 1))


def _validate(change: Change, *, pre_approved: bool = False) -> None:
    errors = {}
    if not change.title:
        errors["title"] = "Say in a few words what will change."
    if change.change_type not in ChangeType.values:
        errors["change_type"] = "Choose standard, normal or emergency."
    elif change.change_type == ChangeType.STANDARD and not pre_approved:
        errors["change_type"] = "A standard change is raised from a standard-change template."
    if change.planned_start and change.planned_end and change.planned_end <= change.planned_start:
        errors["planned_end"] = "The planned end must be after the planned start."
    if (
        change.assignee
        and change.assignment_group
        and not change.assignment_group.members.filter(pk=change.assignee.pk).exists()
    ):
        errors["assignee"] = f"{change.assignee} is not a member of {change.assignment_group}."
    if change.change_manager and not is_change_manager(change.change_manager):
        errors["change_manager"] = f"{change.change_manager} is not a change manager."
    if change.risk not in RiskLevel.values:
        errors["risk"] = "Unknown risk level."
    if errors:
        raise ValidationError(errors)


def _add_primary_scope(change: Change, services: list, cis: list) -> None:
    """The record's own service and CI are always part of the affected scope."""
    if change.service_id and all(s.pk != change.service_id for s in services):
        services.append(change.service)
    if change.configuration_item_id and all(c.pk != change.configuration_item_id for c in cis):
        cis.append(change.configuration_item)


def _create_template_task(change: Change, step, *, actor: User | None) -> ChangeTask:
    task = ChangeTask.objects.create(
        kind=TaskKind.CHANGE_TASK,
        number=next_number(TaskKind.CHANGE_TASK),
        title=step.title,
        description=step.description,
        task_type=step.task_type,
        order=step.order,
        parent_change=change,
        assignment_group=step.assignment_group or change.assignment_group,
        requester=change.requester,
        priority=change.priority,
        state=CHANGE_TASK_WORKFLOW.initial,
        state_category=CHANGE_TASK_WORKFLOW.category_of(CHANGE_TASK_WORKFLOW.initial),
    )
    record_event(task, "change_task.created", actor=actor, body=f"Task of {change.number}.")
    attach_clocks(task)
    return task


def _notify_assigned(change: Change, actor: User | None) -> None:
    if change.assignee_id and (actor is None or change.assignee_id != actor.pk):
        notify(
            change.assignee, change, f"{change.number} was assigned to you", key=f"assigned:v{change.version}"
        )
