"""The audit trail of suppliers and contracts: written by the services, in the change's transaction."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from suppliers.models import AuditEntry, Contract, Supplier


def snapshot(obj: models.Model, fields: frozenset[str] | list[str]) -> dict[str, Any]:
    """Plain, JSON-safe values of `fields` (related rows by label, many-to-many as sorted labels)."""
    values: dict[str, Any] = {}
    for name in sorted(fields):
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(item) for item in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation:
            related = getattr(obj, name)
            values[name] = str(related) if related is not None else None
        else:
            value = getattr(obj, name)
            values[name] = (
                value if isinstance(value, str | int | float | bool) or value is None else str(value)
            )
    return values


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose value changed; empty text, no value and an empty list count as the same."""
    return {
        name: {"old": before.get(name), "new": value}
        for name, value in after.items()
        if _blank(before.get(name)) != _blank(value)
    }


def _blank(value: Any) -> Any:
    return None if value in ("", [], None) else value


def record(
    action: str,
    *,
    actor: User | None,
    supplier: Supplier,
    contract: Contract | None = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry | None:
    """One audit row; an update that changed nothing writes none."""
    if action.endswith(".updated") and not changes:
        return None
    return AuditEntry.objects.create(
        supplier=supplier, contract=contract, action=action, actor=actor, changes=dict(changes or {})
    )


#: Contract fields whose old and new values only managers may read in the trail.
MANAGER_ONLY_FIELDS = frozenset({"value", "currency"})


#: How the trail names each action on a page.
ACTION_LABELS = {
    "supplier.created": "Supplier created",
    "supplier.updated": "Supplier changed",
    "supplier.deleted": "Supplier deleted",
    "contract.created": "Contract created",
    "contract.updated": "Contract changed",
    "contract.deleted": "Contract deleted",
    "contract.document_added": "Document added",
    "contract.document_removed": "Document removed",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def readable_changes(entry: AuditEntry, *, show_values: bool) -> list[tuple[str, Any, Any]]:
    """(field, old, new) rows for a page; commercial values masked for those who may not see them."""
    rows = []
    for name, change in sorted(entry.changes.items()):
        old, new = _readable(change.get("old")), _readable(change.get("new"))
        if name in MANAGER_ONLY_FIELDS and not show_values:
            old, new = ("hidden" if old is not None else None), ("hidden" if new is not None else None)
        rows.append((name.replace("_", " "), old, new))
    return rows


def _readable(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or None
    return value
