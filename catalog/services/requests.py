"""The requester's side of a request: replies and cancellation; and the approval outcome."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Request, RequestItem
from catalog.services.approvals import rejection_reason, withdraw_approval
from catalog.services.common import (
    lock_item,
    lock_request,
    lock_task,
    notify_people,
    people_of,
    require_visible,
)
from catalog.services.fulfilment import ITEM_FIELDS, MOVE_FIELDS, move, release_item, settle_request
from catalog.workflow import (
    ITEM_OPEN,
    ITEM_WORKFLOW,
    REQUEST_OPEN,
    REQUEST_WORKFLOW,
    TASK_OPEN,
    TASK_WORKFLOW,
)
from itsm.core import roles
from itsm.core.exceptions import PermissionDenied, TransitionNotAllowed
from itsm.core.models import TimelineEntry
from itsm.core.services.activity import add_comment
from itsm.notifications.services import notify_user

REPLY_MAX = 10000


def may_cancel(request: Request, actor: User) -> bool:
    """The person it is for, whoever ordered it, and agents — while it is not fulfilled yet."""
    mine = actor.pk in (request.requester_id, request.opened_by_id)
    return request.state in REQUEST_OPEN and (mine or roles.is_staff_member(actor))


def cancel_request(
    request: Request, *, actor: User, reason: str = "", expected_version: int | None = None
) -> Request:
    """Withdraw the request: open items are cancelled, their approvals withdrawn, their tasks skipped."""
    require_visible(request, actor)
    if not may_cancel(request, actor):
        if request.state not in REQUEST_OPEN:
            raise TransitionNotAllowed(
                f"{request.number} is already {REQUEST_WORKFLOW.label_of(request.state).lower()}."
            )
        raise PermissionDenied("Only the requester or an agent can cancel this request.")
    reason = reason.strip() or "Cancelled by the requester."
    with transaction.atomic():
        record = lock_request(request, expected_version)
        for item in record.items.filter(state__in=ITEM_OPEN).order_by("pk"):
            _cancel_item(lock_item(item), actor=actor, reason=reason)
        if record.state in REQUEST_OPEN:
            settle_request(record, actor=actor)
    return record


def _cancel_item(item: RequestItem, *, actor: User, reason: str) -> None:
    """Cancel first, then withdraw approvals: the approval handler then finds nothing to do."""
    move(item, ITEM_WORKFLOW, "cancel", actor=actor, fields=ITEM_FIELDS, note=reason)
    withdraw_approval(item, actor=actor, reason=reason)
    for task in item.tasks.filter(state__in=TASK_OPEN).order_by("pk"):
        move(lock_task(task), TASK_WORKFLOW, "skip", actor=actor, fields=MOVE_FIELDS, note=reason)


def add_request_reply(request: Request, *, actor: User, body: str, public: bool = True) -> TimelineEntry:
    """A reply on the request (requesters always reply publicly; agents may write work notes)."""
    require_visible(request, actor)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > REPLY_MAX:
        raise ValidationError({"body": f"Keep it under {REPLY_MAX} characters."})
    staff = roles.is_staff_member(actor)
    public = public or not staff
    with transaction.atomic():
        entry = add_comment(request, actor=actor, body=body, is_public=public)
        if public and staff and actor.pk not in {p.pk for p in people_of(request)}:
            notify_people(request, f"New reply on {request.number}", body, key=f"reply:{entry.pk}")
        elif public:
            _tell_fulfillers(request, actor, entry)
    return entry


def _tell_fulfillers(request: Request, actor: User, entry: TimelineEntry) -> None:
    """The requester wrote: whoever holds a task of the request hears about it."""
    from catalog.models import FulfilmentTask

    assignees = (
        FulfilmentTask.objects.filter(
            request_item__parent_request=request, state__in=TASK_OPEN, assignee__isnull=False
        )
        .exclude(assignee=actor)
        .select_related("assignee")
    )
    for task in assignees:
        notify_user(
            task.assignee,
            title=f"The requester replied on {request.number}",
            body=entry.body,
            url=request.get_absolute_url(),
            task=request,
            dedupe_key=f"catalog:{request.pk}:reply:{entry.pk}:{task.assignee_id}",
        )


def on_approval_outcome(plan, outcome: str, actor: User | None) -> None:
    """Registered with `itsm.approvals` for requested items; runs in the deciding transaction."""
    item = RequestItem.objects.filter(pk=plan.subject_id).select_related("parent_request").first()
    if item is None or item.state not in ITEM_OPEN:
        return
    if outcome == "approved":
        release_item(item, actor=actor)
    elif outcome == "rejected":
        _close_rejected(item, actor=actor, reason=rejection_reason(plan))
    elif outcome == "cancelled":
        with transaction.atomic():
            request = lock_request(item.parent_request)
            record = lock_item(item)
            if record.state in ITEM_OPEN:
                move(
                    record,
                    ITEM_WORKFLOW,
                    "cancel",
                    actor=actor,
                    fields=ITEM_FIELDS,
                    note="Approval withdrawn.",
                )
                settle_request(request, actor=actor)


def _close_rejected(item: RequestItem, *, actor: User | None, reason: str) -> None:
    with transaction.atomic():
        request = lock_request(item.parent_request)
        record = lock_item(item)
        record.close_reason = reason
        move(record, ITEM_WORKFLOW, "reject", actor=actor, fields=ITEM_FIELDS, note=reason)
        settle_request(request, actor=actor)


def item_summary(subject) -> list[tuple[str, str]]:
    """What approvers see about a requested item: what, for whom, how many, and the answers."""
    from catalog.forms_engine import readable_answers

    item = (
        RequestItem.objects.filter(pk=subject.pk)
        .select_related("item_version", "parent_request__requester")
        .first()
    )
    if item is None:
        return []
    person = item.parent_request.requester
    rows = [
        ("Item", item.item_version.snapshot["name"]),
        ("For", person.get_full_name() or person.get_username()),
        ("Quantity", str(item.quantity)),
    ]
    rows += readable_answers(item.item_version.variables, item.values)
    return rows
