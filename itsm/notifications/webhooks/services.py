"""Writing webhook subscriptions and queueing deliveries by hand (replay, test ping).

Views and the API call these; each checks who may act, validates, and writes in one
transaction. Saving a URL runs the SSRF guard, so an integrator learns at once that an
address is refused (delivery checks again, since DNS can change).
"""

import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from itsm.notifications import ssrf
from itsm.notifications.choices import Channel
from itsm.notifications.models import OutboxMessage, WebhookSubscription
from itsm.notifications.webhooks import emit
from itsm.notifications.webhooks.access import may_manage_all, may_use_webhooks
from itsm.notifications.webhooks.events import EVENT_TYPES
from itsm.notifications.webhooks.signing import new_secret

EDITABLE = ("name", "url", "event_types", "is_active")
MAX_EVENT_TYPES = len(EVENT_TYPES)


def require_manage(subscription: WebhookSubscription | None, actor: User) -> None:
    """Admins manage every subscription; integrators with the permission their own."""
    if not may_use_webhooks(actor):
        raise PermissionDenied("You may not manage webhooks.")
    if subscription is not None and subscription.owner_id != actor.pk and not may_manage_all(actor):
        raise PermissionDenied("This webhook belongs to someone else.")


def create_subscription(
    *, actor: User, name: str, url: str, event_types: Iterable[str], services=(), assignment_groups=()
) -> WebhookSubscription:
    """A new active subscription owned by `actor`, with a generated secret."""
    require_manage(None, actor)
    fields = _clean({"name": name, "url": url, "event_types": event_types})
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(owner=actor, secret=new_secret(), **fields)
        subscription.services.set(services)
        subscription.assignment_groups.set(assignment_groups)
    return subscription


def update_subscription(
    subscription: WebhookSubscription, *, actor: User, **changes: Any
) -> WebhookSubscription:
    """Change name, URL, events, filters or the active flag; enabling again clears the failure count."""
    require_manage(subscription, actor)
    services = changes.pop("services", None)
    groups = changes.pop("assignment_groups", None)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed."))
    current = {name: getattr(subscription, name) for name in ("name", "url", "event_types")}
    fields = _clean({**current, **{k: v for k, v in changes.items() if k != "is_active"}})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(subscription, name, value)
        if "is_active" in changes:
            _set_active(subscription, bool(changes["is_active"]))
        subscription.save()
        if services is not None:
            subscription.services.set(services)
        if groups is not None:
            subscription.assignment_groups.set(groups)
    return subscription


def rotate_secret(subscription: WebhookSubscription, *, actor: User) -> str:
    """A new secret; deliveries signed from now on use it. Returns it (shown to the owner)."""
    require_manage(subscription, actor)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription.secret


def delete_subscription(subscription: WebhookSubscription, *, actor: User) -> None:
    require_manage(subscription, actor)
    subscription.delete()


def send_ping(subscription: WebhookSubscription, *, actor: User) -> OutboxMessage:
    """Queue a `webhook.ping` delivery now, to check the receiver and its signature check."""
    require_manage(subscription, actor)
    if not subscription.is_active:
        raise ValidationError("Enable the subscription before sending a test delivery.")
    payload = {
        "id": str(uuid.uuid4()),
        "type": "webhook.ping",
        "occurred_at": timezone.now().isoformat(),
        "data": {"subscription": subscription.pk, "name": subscription.name, "sent_by": actor.get_username()},
    }
    with transaction.atomic():
        return emit.queue_delivery(subscription.pk, subscription.url, payload)


def replay(message: OutboxMessage, *, actor: User) -> OutboxMessage:
    """A new delivery (new delivery id) of the same payload (same event id) to the subscription's URL."""
    subscription = message.subscription
    if subscription is None or message.channel != Channel.WEBHOOK:
        raise ValidationError("Only deliveries of a webhook subscription can be replayed.")
    require_manage(subscription, actor)
    if not subscription.is_active:
        raise ValidationError("Enable the subscription before replaying a delivery.")
    with transaction.atomic():
        copy = emit.queue_delivery(
            subscription.pk, subscription.url, _payload_of(message), task_id=message.task_id
        )
    return copy


def _payload_of(message: OutboxMessage) -> dict[str, Any]:
    return json.loads(message.body_text)


def _set_active(subscription: WebhookSubscription, active: bool) -> None:
    if active and not subscription.is_active:
        subscription.consecutive_failures = 0
        subscription.disabled_reason = ""
        subscription.disabled_at = None
    elif not active and subscription.is_active:
        subscription.disabled_reason = "Disabled by hand."
        subscription.disabled_at = timezone.now()
    subscription.is_active = active


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = "Give the webhook a name."
    elif len(name) > 100:
        errors["name"] = "Keep the name under 100 characters."
    url = str(fields.get("url") or "").strip()
    if len(url) > 500:
        errors["url"] = "Keep the URL under 500 characters."
    else:
        try:
            ssrf.check_url(url)
        except ssrf.UnsafeDestination as exc:
            errors["url"] = str(exc)
    raw = fields.get("event_types")
    event_types = [raw] if isinstance(raw, str) else list(raw or [])
    unknown = sorted({str(e) for e in event_types} - set(EVENT_TYPES))
    if unknown:
        errors["event_types"] = f"Unknown event types: {', '.join(unknown)}."
    elif not event_types:
        errors["event_types"] = "Choose at least one event."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "url": url, "event_types": sorted(set(event_types))}
