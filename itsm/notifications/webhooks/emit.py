"""Turning published record events into webhook outbox rows, in the causing transaction.

Listens on `itsm.core.events` (every timeline entry). The active subscriptions come from the
per-process configuration cache, indexed by event type, so an event nobody subscribed to
costs no query. For each matching subscription one outbox row holds the signed-to-be JSON
body; the delivery task is queued when the transaction commits, so a rolled-back change
never produces a webhook.
"""

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from itsm.core import configcache, roles
from itsm.core.tasks import dispatch_on_commit
from itsm.notifications.choices import Channel
from itsm.notifications.models import OutboxMessage, WebhookSubscription
from itsm.notifications.services import absolute_url
from itsm.notifications.webhooks.events import event_type_for

CACHE_NAME = "webhooks.subscriptions"


@dataclass(frozen=True)
class ActiveSubscription:
    """What emission needs of a subscription, kept in the process cache."""

    id: int
    url: str
    owner_id: int
    owner_sees_all: bool
    service_ids: frozenset[int]
    group_ids: frozenset[int]

    def matches(self, record: Any) -> bool:
        if self.service_ids and getattr(record, "service_id", None) not in self.service_ids:
            return False
        return not self.group_ids or getattr(record, "assignment_group_id", None) in self.group_ids


def active_by_event() -> dict[str, tuple[ActiveSubscription, ...]]:
    """event type -> the active subscriptions asking for it (cached per process)."""
    return configcache.cached(CACHE_NAME, _load)


def _load() -> dict[str, tuple[ActiveSubscription, ...]]:
    rows = (
        WebhookSubscription.objects.filter(is_active=True)
        .select_related("owner")
        .prefetch_related(
            Prefetch("services", to_attr="service_list"),
            Prefetch("assignment_groups", to_attr="group_list"),
            "owner__groups",
        )
    )
    index: dict[str, list[ActiveSubscription]] = {}
    for row in rows:
        names = {group.name for group in row.owner.groups.all()}
        active = ActiveSubscription(
            id=row.pk,
            url=row.url,
            owner_id=row.owner_id,
            owner_sees_all=row.owner.is_superuser or bool(names & roles.STAFF_ROLES),
            service_ids=frozenset(service.pk for service in row.service_list),
            group_ids=frozenset(team.pk for team in row.group_list),
        )
        for event_type in row.event_types:
            index.setdefault(event_type, []).append(active)
    return {event_type: tuple(subs) for event_type, subs in index.items()}


def on_record_event(record: Any, action: str, changes: Mapping[str, Any]) -> None:
    """The `itsm.core.events` listener: queue one delivery per matching subscription."""
    event_type = event_type_for(kind_of(record), action, changes, getattr(record, "state", ""))
    if event_type is None:
        return
    candidates = active_by_event().get(event_type)
    if not candidates:
        return
    matching = [sub for sub in candidates if sub.matches(record) and _owner_may_see(sub, record)]
    if not matching:
        return
    payload = build_payload(event_type, record, changes)
    for sub in matching:
        queue_delivery(sub.id, sub.url, payload, task_id=_task_id(record))


def queue_delivery(subscription_id: int | None, url: str, payload: Mapping[str, Any], *, task_id=None):
    """Write one webhook outbox row (a new delivery id) and queue its delivery after commit."""
    from itsm.notifications.tasks import deliver_webhook

    message = OutboxMessage.objects.create(
        channel=Channel.WEBHOOK,
        subscription_id=subscription_id,
        task_id=task_id,
        to_address=url,
        subject=payload["type"],
        body_text=json.dumps(payload, sort_keys=True, separators=(",", ":")),
        headers={"Content-Type": "application/json"},
        message_id=str(uuid.uuid4()),
    )
    dispatch_on_commit(deliver_webhook, message.pk)
    return message


def build_payload(event_type: str, record: Any, changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON body: event id and type, when, and the record's essentials (no requester data)."""
    payload: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": timezone.now().isoformat(),
        "data": record_essentials(record),
    }
    if changes:
        payload["changes"] = {
            name: dict(values) for name, values in changes.items() if isinstance(values, Mapping)
        }
    return payload


def record_essentials(record: Any) -> dict[str, Any]:
    """What integrators need to recognise and fetch the record; they GET `api_url` for the rest."""
    kind = kind_of(record)
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return {
        "id": record.pk,
        "number": getattr(record, "number", ""),
        "kind": kind,
        "title": getattr(record, "title", ""),
        "state": getattr(record, "state", ""),
        "state_category": getattr(record, "state_category", None),
        "priority": getattr(record, "priority", None),
        "service": _named(record, "service"),
        "assignment_group": _named(record, "assignment_group"),
        "assignee": _person(record, "assignee"),
        "url": absolute_url(url) if url else "",
        "api_url": _api_url(kind, record.pk),
    }


def kind_of(record: Any) -> str:
    """A task's kind, or `<app>_<model>` for other records (`knowledge_article`)."""
    return getattr(record, "kind", "") or f"{record._meta.app_label}_{record._meta.model_name}"


def _named(record: Any, field: str) -> dict[str, Any] | None:
    if getattr(record, f"{field}_id", None) is None:
        return None
    value = getattr(record, field)
    return {"id": value.pk, "name": str(value)}


def _person(record: Any, field: str) -> dict[str, Any] | None:
    if getattr(record, f"{field}_id", None) is None:
        return None
    user = getattr(record, field)
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def _api_url(kind: str, pk: int) -> str:
    for name in (f"api:{kind.replace('_', '-')}-detail", "api:task-detail"):
        try:
            return absolute_url(reverse(name, args=[pk]))
        except NoReverseMatch:
            continue
    return ""


def _task_id(record: Any) -> int | None:
    from itsm.core.models import Task

    return record.pk if isinstance(record, Task) else None


def _owner_may_see(sub: ActiveSubscription, record: Any) -> bool:
    """Staff owners see every record; anyone else only what their `visible_to` lets them."""
    if sub.owner_sees_all:
        return True
    manager = type(record)._default_manager
    if not hasattr(manager, "visible_to"):
        return False
    from django.contrib.auth.models import User

    owner = User.objects.get(pk=sub.owner_id)
    return manager.visible_to(owner).filter(pk=record.pk).exists()
