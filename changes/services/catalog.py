"""The catalog's standard-change hook: an order for an item flagged "standard change" raises a
pre-approved standard change; closing that change fulfils the requested item.

Registered in `ChangesConfig.ready()` through `catalog.services.register_standard_change_handler`.
The change comes from the standard-change template linked to the catalog item, or — when no
template is linked — from the item itself (the catalog flag is the pre-approval).
"""

from django.contrib.auth.models import User

import catalog.services as catalog_services
from changes.choices import ChangeType, CloseCode
from changes.models import Change, StandardChangeTemplate
from changes.services.creation import _create_change, raise_from_template
from itsm.core.choices import Impact, LinkKind, StateCategory, TaskKind, Urgency
from itsm.core.models import Task, TaskLink
from itsm.core.services.activity import add_comment
from itsm.core.services.timeline import record_event

#: requested item *resolved by* change.
ITEM_LINK = LinkKind.RESOLVED_BY


def create_standard_change_for_item(request_item: Task, *, actor: User | None) -> Change:
    """Raise the standard change that delivers `request_item` and link the two records."""
    catalog_item = request_item.catalog_item
    template = StandardChangeTemplate.objects.filter(catalog_item_id=catalog_item.pk, is_active=True).first()
    description = (
        f"Raised for {request_item.number} ({catalog_item.name}), requested by {request_item.requester}."
    )
    if template is not None:
        change = raise_from_template(
            template,
            actor=actor,
            title=f"{template.name} for {request_item.requester}",
            description=description,
        )
    else:
        change = _from_item(request_item, catalog_item, actor=actor, description=description)
    TaskLink.objects.create(source=request_item, target=change, kind=ITEM_LINK, created_by=actor)
    record_event(change, "task.linked", actor=actor, body=f"{request_item.number} is resolved by this change")
    return change


def settle_request_items(change: Change, actor: User) -> None:
    """The change closed: the items it delivers are fulfilled when it went well, else noted."""
    links = TaskLink.objects.filter(target_id=change.pk, kind=ITEM_LINK, source__kind=TaskKind.REQUEST_ITEM)
    succeeded = change.close_code in (CloseCode.SUCCESSFUL, CloseCode.SUCCESSFUL_WITH_ISSUES)
    for link in links.select_related("source").order_by("source_id"):
        item = link.source
        if item.state_category not in StateCategory.active():
            continue
        if succeeded and change.change_type == ChangeType.STANDARD:
            note = f"Delivered by change {change.number}."
            catalog_services.complete_request_item(item.requestitem, actor=actor, note=note)
        else:
            outcome = change.get_close_code_display().lower()
            body = f"Change {change.number} closed ({outcome}): the item is not delivered."
            add_comment(item, actor=actor, body=body, is_public=False)


def _from_item(request_item: Task, catalog_item, *, actor: User | None, description: str) -> Change:
    services = [catalog_item.service] if catalog_item.service_id else []
    return _create_change(
        actor=actor,
        title=f"{catalog_item.name} for {request_item.requester}",
        change_type=ChangeType.STANDARD,
        description=description,
        reason=f"Catalog order {request_item.number}.",
        implementation_plan=f"Deliver “{catalog_item.name}” as the catalog item describes.",
        backout_plan="Withdraw the delivery and restore the previous state.",
        test_plan="",
        planned_start=None,
        planned_end=None,
        assignment_group=catalog_item.assignment_group,
        assignee=None,
        change_manager=None,
        service=catalog_item.service,
        configuration_item=None,
        affected_services=services,
        affected_cis=[],
        impact=Impact.LOW,
        urgency=Urgency.MEDIUM,
        template=None,
        pre_approved_by=f"Pre-approved by the catalog item “{catalog_item.name}” (flagged standard change).",
    )
