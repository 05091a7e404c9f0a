"""Change tasks: the implementation and test steps of a change, assigned to groups, optionally ordered."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changes.choices import ChangeTaskType
from changes.models import Change, ChangeTask
from changes.services.common import clean_text, locked, locked_task, notify, require_staff
from changes.workflow import CHANGE_TASK_WORKFLOW, CHANGE_WORKFLOW, TASK_FINISHED
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.locking import save_locked
from itsm.core.models import Team
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_state_change
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks

TASK_MOVE_FIELDS = ["state", "state_category", "outcome", "resolved_at", "closed_at"]


def create_change_task(
    change: Change,
    *,
    actor: User,
    title: str,
    description: str = "",
    task_type: str = ChangeTaskType.IMPLEMENTATION,
    assignment_group: Team | None = None,
    assignee: User | None = None,
    order: int | None = None,
) -> ChangeTask:
    """Add a step to a change that is still open; it goes to `assignment_group` (the change's by default)."""
    require_staff(actor, "add change tasks")
    title = " ".join((title or "").split())[:250]
    errors = {}
    if not title:
        errors["title"] = "Say what the task is."
    if task_type not in ChangeTaskType.values:
        errors["task_type"] = "Unknown task type."
    if order is not None and not 1 <= order <= 999:
        errors["order"] = "The order is a number from 1 to 999."
    group = assignment_group or change.assignment_group
    if assignee and group and not group.members.filter(pk=assignee.pk).exists():
        errors["assignee"] = f"{assignee} is not a member of {group}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        parent = locked(change)
        if parent.state_category in (StateCategory.RESOLVED, StateCategory.CLOSED, StateCategory.CANCELLED):
            state = CHANGE_WORKFLOW.label_of(parent.state).lower()
            raise ValidationError({"title": f"{parent.number} is {state}: it takes no new tasks."})
        task = ChangeTask.objects.create(
            kind=TaskKind.CHANGE_TASK,
            number=next_number(TaskKind.CHANGE_TASK),
            title=title,
            description=clean_text(description),
            task_type=task_type,
            order=order,
            parent_change=parent,
            assignment_group=group,
            assignee=assignee,
            requester=parent.requester,
            priority=parent.priority,
            state=CHANGE_TASK_WORKFLOW.initial,
            state_category=CHANGE_TASK_WORKFLOW.category_of(CHANGE_TASK_WORKFLOW.initial),
        )
        record_event(task, "change_task.created", actor=actor, body=f"Task of {parent.number}.")
        record_event(parent, "change.task_added", actor=actor, body=f"{task.number} {task.title}")
        attach_clocks(task)
        if assignee and assignee.pk != actor.pk:
            notify(assignee, task, f"{task.number} was assigned to you", key="assigned")
    return task


def move_change_task(
    task: ChangeTask, name: str, *, actor: User, outcome: str = "", expected_version: int | None = None
) -> ChangeTask:
    """Start, complete or skip a task; an ordered task waits for the tasks before it."""
    require_staff(actor, "work on change tasks")
    with transaction.atomic():
        record = locked_task(task, expected_version)
        before = clock_snapshot(record)
        if outcome.strip():
            record.outcome = clean_text(outcome)
        old, new = CHANGE_TASK_WORKFLOW.apply(record, name)
        if new in TASK_FINISHED:
            record.closed_at = record.resolved_at = timezone.now()
        save_locked(record, update_fields=TASK_MOVE_FIELDS)
        sync_clocks(record, before=before)
        record_state_change(record, f"change_task.{name}", actor=actor, old=old, new=new, body=record.outcome)
        if new in TASK_FINISHED:
            record_event(
                Change(pk=record.parent_change_id),
                f"change.task_{new}",
                actor=actor,
                body=f"{record.number} {record.title}: {CHANGE_TASK_WORKFLOW.label_of(new).lower()}",
            )
    return record


def skip_open_tasks(change: Change, *, actor: User, reason: str) -> int:
    """Skip every unfinished task of a change that will not be implemented (it was cancelled)."""
    count = 0
    for task in (
        ChangeTask.objects.filter(parent_change=change).exclude(state__in=TASK_FINISHED).order_by("pk")
    ):
        move_change_task(task, "skip", actor=actor, outcome=reason)
        count += 1
    return count
