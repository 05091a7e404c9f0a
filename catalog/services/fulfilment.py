"""Fulfilment: releasing an item, generating its tasks stage by stage from the frozen plan,
working the tasks, and completing the item and the request when their parts are done.

Stages: plan steps with the same `order` run in parallel; the next order starts when every
task of the current one is done or skipped. A step whose condition does not match the item's
values is left out. An item whose plan has nothing left to do is fulfilled.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.forms_engine import matches
from catalog.models import FulfilmentTask, Request, RequestItem
from catalog.services.common import (
    lock_item,
    lock_request,
    lock_task,
    notify_people,
    notify_team,
    require_staff,
)
from catalog.standard_changes import standard_change_handler
from catalog.workflow import (
    CANCELLED,
    FULFILLED,
    ITEM_WORKFLOW,
    REQUEST_OPEN,
    REQUEST_WORKFLOW,
    SUBMITTED,
    TASK_OPEN,
    TASK_WORKFLOW,
)
from itsm.core.choices import TaskKind
from itsm.core.locking import save_locked
from itsm.core.models import Team
from itsm.core.services.activity import add_comment
from itsm.core.services.numbering import next_number
from itsm.core.services.timeline import record_event, record_state_change
from itsm.sla.services import attach_clocks, clock_snapshot, sync_clocks

MOVE_FIELDS = ["state", "state_category", "responded_at", "resolved_at", "closed_at"]
ITEM_FIELDS = [*MOVE_FIELDS, "stage", "close_reason"]


# --- moving records ---------------------------------------------------------------------


def move(record, workflow, name: str, *, actor: User | None, fields: list[str], note: str = "") -> None:
    """Apply a checked transition to a locked record: timestamps, save, SLA clocks, timeline."""
    before = clock_snapshot(record)
    old, new = workflow.apply(record, name)
    now = timezone.now()
    category = workflow.category_of(new)
    if category == "open" and record.responded_at is None:
        record.responded_at = now
    if category == "resolved":
        record.resolved_at = now
    if category in ("closed", "cancelled"):
        record.closed_at = now
    save_locked(record, update_fields=fields)
    sync_clocks(record, before=before)
    record_state_change(record, f"{record.kind}.{name}", actor=actor, old=old, new=new, body=note)


# --- releasing an item ------------------------------------------------------------------


def release_item(item: RequestItem, *, actor: User | None) -> RequestItem:
    """Approvals are done (or none were needed): start fulfilment. Locks request, then item."""
    with transaction.atomic():
        request = lock_request(item.parent_request)
        record = lock_item(item)
        if record.state not in ITEM_WORKFLOW.transitions["release"].sources:
            return record  # cancelled meanwhile: nothing to release
        move(record, ITEM_WORKFLOW, "release", actor=actor, fields=ITEM_FIELDS)
        _request_started(request, actor)
        notify_people(
            request, f"{record.number} is being fulfilled", record.title, key="released", task=record
        )
        if record.item_version.snapshot.get("standard_change"):
            _raise_standard_change(record, actor)
        else:
            open_next_stage(record, request, actor=actor)
    return record


def _request_started(request: Request, actor: User | None) -> None:
    if request.state == SUBMITTED:
        move(request, REQUEST_WORKFLOW, "start", actor=actor, fields=MOVE_FIELDS)


def _raise_standard_change(item: RequestItem, actor: User | None) -> None:
    """Hand the item to the change practice's handler; the item's timeline names the change.

    Linking the two records is the handler's part (it raises the change with the authority
    of the change process; a requester whose order needed no approval could not link).
    """
    handler = standard_change_handler()
    if handler is None:  # refused at ordering; reaching here means the handler went away
        raise RuntimeError("No standard change handler is registered.")
    change = handler(item, actor=actor)
    record_event(
        item,
        "request_item.standard_change",
        actor=actor,
        body=f"Delivered through {change.number}.",
        is_public=True,
    )


def open_next_stage(item: RequestItem, request: Request, *, actor: User | None) -> list[FulfilmentTask]:
    """Create the tasks of the next stage whose conditions match; fulfil the item when none is left."""
    plan = item.item_version.snapshot.get("fulfilment", [])
    later = [step for step in plan if item.stage is None or step["order"] > item.stage]
    applicable = [step for step in later if _applies(step, item.values)]
    if not applicable:
        _fulfil_item(item, request, actor)
        return []
    stage = min(step["order"] for step in applicable)
    item.stage = stage
    save_locked(item, update_fields=["stage"])
    teams = Team.objects.in_bulk([s["assignment_group_id"] for s in applicable if s["order"] == stage])
    return [
        _create_task(item, request, step, teams.get(step["assignment_group_id"]), actor)
        for step in applicable
        if step["order"] == stage
    ]


def _applies(step: dict, values: dict) -> bool:
    condition = step.get("condition")
    return not condition or matches(values.get(condition["variable"]), condition["value"])


def _create_task(item: RequestItem, request: Request, step: dict, team: Team | None, actor) -> FulfilmentTask:
    task = FulfilmentTask(
        kind=TaskKind.FULFILMENT_TASK,
        number=next_number(TaskKind.FULFILMENT_TASK),
        title=f"{step['title']} — {item.title}"[:250],
        description=step["instructions"],
        instructions=step["instructions"],
        requester=item.requester,
        service=item.service,
        assignment_group=team,
        priority=item.priority,
        request_item=item,
        stage=step["order"],
        state=TASK_WORKFLOW.initial,
        state_category=TASK_WORKFLOW.category_of(TASK_WORKFLOW.initial),
    )
    task.save()
    record_event(task, "fulfilment_task.created", actor=actor, body=f"For {item.number} ({request.number}).")
    attach_clocks(task)
    notify_team(team, task, f"New fulfilment task for {team}: {task.title}", key="created")
    return task


def _fulfil_item(item: RequestItem, request: Request, actor: User | None) -> None:
    move(item, ITEM_WORKFLOW, "fulfil", actor=actor, fields=ITEM_FIELDS)
    notify_people(request, f"{item.number} is ready: {item.title}", key="fulfilled", task=item)
    settle_request(request, actor=actor)


def settle_request(request: Request, *, actor: User | None) -> None:
    """A locked request completes when none of its items is open: fulfilled when any item was,
    cancelled when every item was, otherwise closed as not fulfilled (all rejected)."""
    if request.state not in REQUEST_OPEN:
        return
    states = list(request.items.values_list("state", flat=True))
    if any(state in ITEM_WORKFLOW.transitions["cancel"].sources for state in states):
        return
    if FULFILLED in states:
        name, title = "fulfil", f"Your request {request.number} is complete"
    elif all(state == CANCELLED for state in states):
        name, title = "cancel", f"Your request {request.number} was cancelled"
    else:
        name, title = "close_unfulfilled", f"Your request {request.number} was closed without fulfilment"
    move(request, REQUEST_WORKFLOW, name, actor=actor, fields=MOVE_FIELDS)
    notify_people(request, title, key=f"settled:{name}")


def complete_request_item(item: RequestItem, *, actor: User | None, note: str = "") -> RequestItem:
    """Fulfil an item whose work was done outside fulfilment tasks (a standard change)."""
    with transaction.atomic():
        request = lock_request(item.parent_request)
        record = lock_item(item)
        ITEM_WORKFLOW.check(record, "fulfil")
        if note:
            record_event(record, "request_item.note", actor=actor, body=note, is_public=True)
        _fulfil_item(record, request, actor)
    return record


# --- working tasks ----------------------------------------------------------------------


def start_task(task: FulfilmentTask, *, actor: User, expected_version: int | None = None) -> FulfilmentTask:
    return _task_move(task, "start", actor=actor, expected_version=expected_version)


def hold_task(
    task: FulfilmentTask, *, actor: User, reason: str = "", expected_version: int | None = None
) -> FulfilmentTask:
    return _task_move(task, "hold", actor=actor, expected_version=expected_version, note=reason)


def complete_task(
    task: FulfilmentTask, *, actor: User, notes: str = "", expected_version: int | None = None
) -> FulfilmentTask:
    """Done; the item moves to its next stage, or is fulfilled when this was the last work."""
    return _task_move(
        task, "complete", actor=actor, expected_version=expected_version, note=notes, advance=True
    )


def skip_task(
    task: FulfilmentTask, *, actor: User, reason: str, expected_version: int | None = None
) -> FulfilmentTask:
    """Not needed after all (say why); counts as finished for the stage."""
    if not reason.strip():
        from django.core.exceptions import ValidationError

        raise ValidationError({"reason": "Say why this task is not needed."})
    return _task_move(task, "skip", actor=actor, expected_version=expected_version, note=reason, advance=True)


def assign_task(
    task: FulfilmentTask,
    *,
    actor: User,
    group: Team | None,
    assignee: User | None,
    expected_version: int | None = None,
) -> FulfilmentTask:
    """Hand the task to a group and/or a member of it."""
    from django.core.exceptions import ValidationError

    require_staff(actor, "assign fulfilment tasks")
    with transaction.atomic():
        record = lock_task(task, expected_version)
        group = group or record.assignment_group
        if assignee is not None and group is not None and not group.members.filter(pk=assignee.pk).exists():
            raise ValidationError({"assignee": f"{assignee} is not a member of {group}."})
        before = clock_snapshot(record)
        old = {"assignment_group": record.assignment_group, "assignee": record.assignee}
        record.assignment_group, record.assignee = group, assignee
        save_locked(record, update_fields=["assignment_group", "assignee"])
        sync_clocks(record, before=before)
        from itsm.core.services.timeline import record_field_changes

        record_field_changes(
            record,
            "fulfilment_task.assigned",
            actor=actor,
            before=old,
            after={"assignment_group": group, "assignee": assignee},
        )
    return record


def add_task_note(task: FulfilmentTask, *, actor: User, body: str) -> object:
    """A work note on a task (internal: requesters follow the request, not its tasks)."""
    require_staff(actor, "write on fulfilment tasks")
    return add_comment(task, actor=actor, body=body, is_public=False)


def _task_move(
    task: FulfilmentTask,
    name: str,
    *,
    actor: User,
    expected_version: int | None,
    note: str = "",
    advance: bool = False,
) -> FulfilmentTask:
    require_staff(actor, "work on fulfilment tasks")
    item_ref = (
        RequestItem.objects.select_related("parent_request")
        .only("pk", "parent_request")
        .get(pk=task.request_item_id)
    )
    with transaction.atomic():
        request = lock_request(item_ref.parent_request) if advance else None
        item = lock_item(item_ref) if advance else None
        record = lock_task(task, expected_version)
        move(record, TASK_WORKFLOW, name, actor=actor, fields=MOVE_FIELDS, note=note.strip())
        stage_done = advance and not item.tasks.filter(stage=item.stage, state__in=TASK_OPEN).exists()
        if stage_done and item.state in ITEM_WORKFLOW.transitions["fulfil"].sources:
            open_next_stage(item, request, actor=actor)
    return record


def bump_popularity(item_id: int) -> None:
    """Count an order for "popular items" (one UPDATE; no read-modify-write)."""
    from catalog.models import CatalogItem

    CatalogItem.objects.filter(pk=item_id).update(order_count=F("order_count") + 1)
