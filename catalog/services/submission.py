"""Ordering: a cart of lines becomes one request (REQ) with one requested item (RITM) per line,
each with its frozen item version and validated values; approvals are asked, or fulfilment
starts at once — all in one transaction."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog import forms_engine
from catalog.lookups import scope_for
from catalog.models import CatalogItem, ItemVersion, Request, RequestItem
from catalog.services.approvals import ask_approval, stages_for
from catalog.services.common import notify_people
from catalog.services.fulfilment import bump_popularity, release_item
from catalog.services.versions import publish_item
from catalog.standard_changes import UNAVAILABLE, standard_change_handler
from catalog.workflow import AWAITING_APPROVAL, ITEM_WORKFLOW, REQUEST_WORKFLOW
from itsm.core import roles
from itsm.core.choices import TaskKind, TimelineKind
from itsm.core.events import publish as publish_event
from itsm.core.models import TimelineEntry
from itsm.core.services.activity import add_attachment
from itsm.core.services.numbering import next_number
from itsm.sla.services import attach_clocks

MAX_LINES = 20


@dataclass
class OrderLine:
    """One line of the cart: an item, how many, and the raw answers to its form."""

    item: CatalogItem
    values: Mapping[str, Any] = field(default_factory=dict)
    quantity: int = 1
    files: Mapping[str, Any] = field(default_factory=dict)
    #: The caller loaded `item` through `CatalogItem.objects.orderable_by(actor)` (the API) or
    #: `visible_to(actor)` and checked `is_active` (the portal): not asked again.
    orderable: bool = False


@dataclass
class _Checked:
    line: OrderLine
    version: ItemVersion
    values: dict
    uploads: dict
    stages: list


def may_order_for(actor: User, person: User) -> bool:
    """Agents order for anyone; others for themselves and for the people they manage."""
    if person.pk == actor.pk or roles.is_staff_member(actor):
        return True
    profile = getattr(person, "profile", None)
    return profile is not None and profile.manager_id == actor.pk


def validate_line(line: OrderLine, *, actor: User, requested_for: User, prefix: str = "") -> _Checked:
    """Check one line against the item's current version; ValidationError keyed `prefix + field`."""
    item = line.item
    if not line.orderable and not CatalogItem.objects.orderable_by(actor).filter(pk=item.pk).exists():
        raise ValidationError({f"{prefix}item": "This item does not exist or cannot be ordered."})
    version = item.current_version or publish_item(item, actor=None)
    snapshot = version.snapshot
    errors: dict[str, str] = {}
    if requested_for.pk != actor.pk and not snapshot["allow_on_behalf"]:
        errors[f"{prefix}requested_for"] = "This item can only be ordered for yourself."
    if snapshot["standard_change"] and standard_change_handler() is None:
        errors[f"{prefix}item"] = UNAVAILABLE
    if not isinstance(line.quantity, int) or not 1 <= line.quantity <= snapshot["max_quantity"]:
        errors[f"{prefix}quantity"] = (
            f"Order between 1 and {snapshot['max_quantity']}."
            if snapshot["allow_quantity"]
            else "Order one at a time."
        )
    try:
        values, uploads = forms_engine.validate_values(
            snapshot["variables"], line.values, line.files, scope=scope_for(actor, snapshot)
        )
    except ValidationError as error:
        errors.update(
            {f"{prefix}values.{name}": messages[0] for name, messages in error.message_dict.items()}
        )
        values, uploads = {}, {}
    if errors:
        raise ValidationError(errors)
    stages = stages_for(
        snapshot["approvals"], requester=requested_for, opened_by=actor, field=f"{prefix}item"
    )
    return _Checked(line, version, values, uploads, stages)


def submit_request(
    *,
    actor: User,
    lines: list[OrderLine],
    requested_for: User | None = None,
    notes: str = "",
    title: str = "",
) -> Request:
    """Order the cart for `requested_for` (default: the actor). Every line is checked first, so
    a bad line leaves nothing behind; field errors are keyed `items.<n>.<field>` (the API's
    shape; the portal strips the prefix for its one-item form). `title` replaces the one made
    from the items' names (a request raised by e-mail is titled with the mail's subject)."""
    requested_for = requested_for or actor
    checked = _check_all(actor, lines, requested_for)
    with transaction.atomic():
        events: list[TimelineEntry] = []
        request = _create_request(actor, requested_for, checked, notes, events, title=title)
        items = [_create_item(request, entry, actor, events) for entry in checked]
        TimelineEntry.objects.bulk_create(events)  # one INSERT for the request's and items' entries
        for item, entry in zip(items, checked, strict=True):
            _start(item, entry, actor)
    return request


def _event(task, action: str, actor: User, body: str) -> TimelineEntry:
    """A public system entry, inserted with the others of the submission (see `record_event`);
    published at once, as `record_event` does, so webhooks hear of the submission."""
    publish_event(task, action)
    return TimelineEntry(
        task_id=task.pk, kind=TimelineKind.SYSTEM, action=action, actor=actor, body=body, is_public=True
    )


def _check_all(actor: User, lines: list[OrderLine], requested_for: User) -> list[_Checked]:
    errors: dict[str, list[str]] = {}
    if not lines:
        raise ValidationError({"items": "Add at least one item."})
    if len(lines) > MAX_LINES:
        raise ValidationError({"items": f"At most {MAX_LINES} items per request."})
    if not requested_for.is_active:
        raise ValidationError({"requested_for": "This person's account is inactive."})
    if not may_order_for(actor, requested_for):
        raise ValidationError({"requested_for": "You can order only for yourself and the people you manage."})
    checked = []
    for index, line in enumerate(lines):
        try:
            checked.append(
                validate_line(line, actor=actor, requested_for=requested_for, prefix=f"items.{index}.")
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


def _create_request(
    actor: User,
    requested_for: User,
    checked: list[_Checked],
    notes: str,
    events: list[TimelineEntry],
    *,
    title: str = "",
) -> Request:
    names = [entry.version.snapshot["name"] for entry in checked]
    title = title.strip() or (names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more")
    request = Request(
        kind=TaskKind.REQUEST,
        number=next_number(TaskKind.REQUEST),
        title=title[:250],
        description=notes.strip()[:5000],
        requester=requested_for,
        opened_by=actor,
        state=REQUEST_WORKFLOW.initial,
        state_category=REQUEST_WORKFLOW.category_of(REQUEST_WORKFLOW.initial),
    )
    request.save()
    if requested_for.pk != actor.pk:
        request.watchers.add(actor)
    who = "" if requested_for.pk == actor.pk else f" for {requested_for.get_full_name() or requested_for}"
    events.append(_event(request, "request.submitted", actor, f"Ordered{who}."))
    attach_clocks(request)
    notify_people(request, f"We received your request {request.number}", title, key="submitted")
    return request


def _create_item(request: Request, entry: _Checked, actor: User, events: list[TimelineEntry]) -> RequestItem:
    snapshot = entry.version.snapshot
    quantity = entry.line.quantity
    item = RequestItem(
        kind=TaskKind.REQUEST_ITEM,
        number=next_number(TaskKind.REQUEST_ITEM),
        title=(f"{quantity} × " if quantity > 1 else "") + snapshot["name"],
        description=snapshot["short_description"],
        requester=request.requester,
        service_id=snapshot["service_id"],
        assignment_group_id=snapshot["assignment_group_id"],
        parent_request=request,
        catalog_item=entry.line.item,
        item_version=entry.version,
        quantity=quantity,
        values=entry.values,
        state=_first_state(entry),
        state_category=ITEM_WORKFLOW.category_of(_first_state(entry)),
    )
    item.save()
    due = timezone.now() + timedelta(seconds=snapshot["delivery_seconds"])
    events.append(_event(item, "request_item.submitted", actor, f"Expected by {due:%Y-%m-%d}."))
    for upload in entry.uploads.values():
        add_attachment(item, upload, actor=actor)
    attach_clocks(item)
    bump_popularity(entry.line.item.pk)
    return item


def _first_state(entry: _Checked) -> str:
    """An item that needs approval is created waiting for it (one write instead of a create and
    a move); one that needs none starts submitted and is released at once."""
    return AWAITING_APPROVAL if entry.stages else ITEM_WORKFLOW.initial


def _start(item: RequestItem, entry: _Checked, actor: User) -> None:
    if entry.stages:
        ask_approval(item, entry.stages, actor=actor)
    else:
        release_item(item, actor=actor)
