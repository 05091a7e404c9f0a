"""Publishing an item's definition as a frozen version: requests keep the version they were
ordered with, so editing an item (its form, approvals or plan) never changes them."""

from django.contrib.auth.models import User
from django.db import transaction

from catalog.forms_engine import check_form, definition_of
from catalog.models import CatalogItem, ItemVersion


def snapshot_of(item: CatalogItem) -> dict:
    """Everything ordering and fulfilment read from the item, as plain JSON."""
    variables = [definition_of(v) for v in item.variables.all()]
    check_form(variables)
    return {
        "name": item.name,
        "short_description": item.short_description,
        "service_id": item.service_id,
        "assignment_group_id": item.assignment_group_id,
        "delivery_seconds": int(item.delivery_time.total_seconds()),
        "standard_change": item.standard_change,
        "allow_quantity": item.allow_quantity,
        "max_quantity": item.max_quantity if item.allow_quantity else 1,
        "allow_on_behalf": item.allow_on_behalf,
        "variables": variables,
        "approvals": [
            {
                "name": step.name or str(step),
                "approver": step.approver,
                "team_id": step.team_id,
                "rule": step.rule,
                "required": step.required,
            }
            for step in item.approval_steps.all()
        ],
        "fulfilment": [
            {
                "order": step.order,
                "title": step.title,
                "instructions": step.instructions,
                "assignment_group_id": step.assignment_group_id,
                "condition": (
                    {"variable": step.condition_variable, "value": step.condition_value}
                    if step.condition_variable
                    else None
                ),
            }
            for step in item.fulfilment_steps.all()
        ],
    }


def publish_item(item: CatalogItem, *, actor: User | None) -> ItemVersion:
    """Freeze the item's current definition as its newest version (nothing new when unchanged).

    Called by the admin after an item and its inlines are saved, by the demo data and by
    anything else that edits items. A form whose condition names a missing variable is refused.
    """
    snapshot = snapshot_of(item)
    with transaction.atomic():
        locked = CatalogItem.objects.select_for_update().get(pk=item.pk)
        latest = locked.versions.order_by("-number").first()
        if latest is not None and latest.snapshot == snapshot:
            version = latest
        else:
            number = latest.number + 1 if latest else 1
            version = ItemVersion.objects.create(
                item=locked, number=number, snapshot=snapshot, created_by=actor
            )
        if locked.current_version_id != version.pk:
            CatalogItem.objects.filter(pk=item.pk).update(current_version=version)
    item.current_version = version
    return version
