"""Problem tasks: investigation, RCA and fix work on a problem, assigned to groups."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from itsm.core.choices import TaskKind, TimelineKind
from itsm.core.locking import lock_for_update, save_locked
from itsm.core.models import Team
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_state_change
from itsm.notifications.services import notify_user
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks
from problems.choices import ProblemTaskType
from problems.models import Problem, ProblemTask
from problems.services.common import require_staff
from problems.workflow import PROBLEM_TASK_WORKFLOW, WORKING


def create_problem_task(
    problem: Problem,
    *,
    actor: User,
    title: str,
    task_type: str = ProblemTaskType.INVESTIGATION,
    description: str = "",
    assignment_group: Team | None = None,
    assignee: User | None = None,
) -> ProblemTask:
    """Add a task to an open problem; the group (or the person) hears of the new work."""
    require_staff(actor, "add problem tasks")
    title = " ".join(title.split())[:250]
    errors = {}
    if not title:
        errors["title"] = "Say what needs doing."
    if task_type not in ProblemTaskType.values:
        errors["task_type"] = "Choose investigation, root-cause analysis or fix."
    if problem.state not in WORKING:
        errors["__all__"] = f"{problem.number} is no longer being worked: tasks cannot be added."
    if (
        assignee is not None
        and assignment_group is not None
        and not assignment_group.members.filter(pk=assignee.pk).exists()
    ):
        errors["assignee"] = f"{assignee} is not a member of {assignment_group}."
    if errors:
        raise ValidationError(errors)
    task = ProblemTask(
        kind=TaskKind.PROBLEM_TASK,
        parent_problem=problem,
        title=title,
        description=description.strip(),
        task_type=task_type,
        requester=actor,
        service=problem.service,
        configuration_item=problem.configuration_item,
        priority=problem.priority,
        impact=problem.impact,
        urgency=problem.urgency,
        assignment_group=assignment_group,
        assignee=assignee,
        state=PROBLEM_TASK_WORKFLOW.initial,
        state_category=PROBLEM_TASK_WORKFLOW.category_of(PROBLEM_TASK_WORKFLOW.initial),
    )
    with transaction.atomic():
        task.number = next_number(TaskKind.PROBLEM_TASK)
        task.save()
        record_event(task, "problem_task.created", actor=actor, kind=TimelineKind.SYSTEM)
        record_event(problem, "problem.task_added", actor=actor, body=f"{task.number} {task.title}")
        attach_clocks(task)
        _notify_new(task, actor)
    return task


def move_problem_task(
    task: ProblemTask, name: str, *, actor: User, outcome: str = "", expected_version: int | None = None
) -> ProblemTask:
    """Start, complete or cancel a problem task; the outcome goes on the task and the problem's timeline."""
    require_staff(actor, "work on problem tasks")
    with transaction.atomic():
        record = lock_for_update(ProblemTask.objects.all(), task.pk, expected_version=expected_version)
        before = clock_snapshot(record)
        old, new = PROBLEM_TASK_WORKFLOW.apply(record, name)
        if outcome.strip():
            record.outcome = outcome.strip()
        if name in ("complete", "cancel"):
            record.closed_at = timezone.now()
        save_locked(record, update_fields=["state", "state_category", "outcome", "closed_at"])
        sync_clocks(record, before=before)
        record_state_change(
            record, f"problem_task.{name}", actor=actor, old=old, new=new, body=record.outcome
        )
        if name == "complete":
            record_event(
                record.parent_problem,
                "problem.task_completed",
                actor=actor,
                body=f"{record.number}: {record.outcome}".strip(": "),
            )
    return record


def _notify_new(task: ProblemTask, actor: User) -> None:
    people = (
        [task.assignee]
        if task.assignee
        else list(task.assignment_group.members.all())
        if task.assignment_group
        else []
    )
    for person in people:
        if person.pk != actor.pk:
            notify_user(
                person,
                title=f"{task.number} ({task.parent_problem.number}) needs doing: {task.title}",
                url=task.parent_problem.get_absolute_url(),
                task=task,
                dedupe_key=f"problem_task:{task.pk}:created:{person.pk}",
            )
