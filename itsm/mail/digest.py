"""The digest: one e-mail with every notification held for a person since their last digest."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from itsm.mail.choices import DeliveryMode
from itsm.mail.models import MailPreference
from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import OutboxMessage
from itsm.notifications.services import queue_email


def send_due_digests() -> int:
    """Queue a digest for each person whose period has passed and who has held mail."""
    cutoff = timezone.now() - timedelta(seconds=settings.MAIL_DIGEST_INTERVAL)
    due = MailPreference.objects.filter(mode=DeliveryMode.DIGEST).select_related("user")
    sent = 0
    for preference in due.iterator():
        if preference.last_digest_at and preference.last_digest_at > cutoff:
            continue
        sent += int(send_digest(preference))
    return sent


def send_digest(preference: MailPreference) -> bool:
    """One digest for the held rows of this person; they are marked as sent in it."""
    user = preference.user
    with transaction.atomic():
        held = list(
            OutboxMessage.objects.select_for_update()
            .filter(recipient=user, status=DeliveryStatus.HELD)
            .order_by("created_at", "pk")
        )
        MailPreference.objects.filter(pk=preference.pk).update(last_digest_at=timezone.now())
        if not held or not user.email or not user.is_active:
            return False
        context = {"user": user, "items": held, "site_name": settings.SITE_NAME}
        context["site_url"] = settings.SITE_URL.rstrip("/")
        queue_email(
            to=user.email,
            subject=f"{settings.SITE_NAME}: {len(held)} update{'s' if len(held) != 1 else ''} for you",
            text=render_to_string("mail/email/digest.txt", context),
            html=render_to_string("mail/email/digest.html", context),
            recipient=user,
            dedupe_key=f"digest:{user.pk}:{held[-1].pk}",
        )
        OutboxMessage.objects.filter(pk__in=[row.pk for row in held]).update(status=DeliveryStatus.DIGESTED)
    return True
