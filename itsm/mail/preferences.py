"""Whether an outbox e-mail goes now, waits for the digest, or is not sent (the person's choice).

Decided by the delivering worker, not when the row is queued: services stay as cheap as they
were, and a change of preference applies to mail already waiting. The event category comes
from the outbox row's dedupe key (`<kind>:<id>:<event>:…`), which every notifying service
writes. Approvals always go at once: somebody is waiting on the decision.
"""

from itsm.mail.choices import ALWAYS_IMMEDIATE, DeliveryMode, EventCategory
from itsm.mail.models import MailPreference

SEND, HOLD, SUPPRESS = "send", "hold", "suppress"

_CONFIRMATION_EVENTS = {"created", "submitted"}
_ALWAYS = {"digest", "mail-refusal"}


def category_of(dedupe_key: str | None) -> str | None:
    """The event category of an outbox row; None for mail no preference applies to."""
    parts = (dedupe_key or "").split(":")
    head = parts[0]
    if not dedupe_key or head in _ALWAYS:
        return None
    if head.startswith("approval"):
        return EventCategory.APPROVALS
    if head == "sla":
        return EventCategory.SLA
    event = parts[2] if len(parts) > 2 else ""
    if event == "reply":
        return EventCategory.REPLIES
    if event.startswith("assigned") or "team" in parts:
        return EventCategory.ASSIGNMENTS
    if event in _CONFIRMATION_EVENTS:
        return EventCategory.CONFIRMATIONS
    return EventCategory.UPDATES


def decide(recipient_id: int | None, dedupe_key: str | None) -> str:
    """SEND, HOLD (for the digest) or SUPPRESS."""
    category = category_of(dedupe_key)
    if recipient_id is None or category is None or category in ALWAYS_IMMEDIATE:
        return SEND
    preference = MailPreference.objects.filter(user_id=recipient_id).first()
    if preference is None:
        return SEND
    if preference.mode == DeliveryMode.OFF or category in preference.muted:
        return SUPPRESS
    return HOLD if preference.mode == DeliveryMode.DIGEST else SEND


def preference_for(user) -> MailPreference:
    """The person's preferences (defaults when they never chose: everything, immediately)."""
    return MailPreference.objects.filter(user=user).first() or MailPreference(user=user)


def update_preferences(user, *, actor, mode: str, muted: list[str]) -> MailPreference:
    """Set how `user` receives notification e-mail; only they (or an administrator) may."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from itsm.core import roles
    from itsm.core.exceptions import PermissionDenied

    if actor.pk != user.pk and not roles.has_role(actor, roles.Role.ADMIN):
        raise PermissionDenied("You can only change your own e-mail settings.")
    if mode not in DeliveryMode.values:
        raise ValidationError({"mode": f"Unknown delivery mode {mode!r}."})
    unknown = set(muted) - set(EventCategory.values)
    if unknown or set(muted) & ALWAYS_IMMEDIATE:
        raise ValidationError(
            {"muted": "Choose among the listed kinds of e-mail; approvals cannot be muted."}
        )
    with transaction.atomic():
        preference, _ = MailPreference.objects.select_for_update().get_or_create(user=user)
        preference.mode, preference.muted = mode, sorted(set(muted))
        preference.save(update_fields=["mode", "muted"])
    return preference
