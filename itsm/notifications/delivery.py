"""Delivering one outbox message: claim it, send it outside any transaction, record the attempt.

A claim is a compare-and-set UPDATE, so two workers (or a task and the sweep) can never
send the same row at once. A worker that dies after claiming leaves the row `sending`;
the sweep takes it back after `OUTBOX_CLAIM_TIMEOUT`, and it is sent again with the same
Message-ID (delivery is at least once; receivers de-duplicate on the Message-ID).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from itsm.mail import preferences
from itsm.mail.outbound import delivery_headers
from itsm.notifications.choices import Channel, DeliveryStatus
from itsm.notifications.models import DeliveryAttempt, OutboxMessage

logger = logging.getLogger(__name__)


def deliver(message_id: int) -> bool:
    """Try to deliver the message now; returns True when it was sent by this call."""
    now = timezone.now()
    if not _claim(message_id, now):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    if _held_or_suppressed(message):
        return False
    try:
        _send(message)
    except Exception as exc:  # any transport failure is recorded and retried
        logger.warning("delivery of outbox message %s failed: %s", message_id, exc)
        _record_failure(message, now, exc)
        return False
    _record_success(message, now)
    return True


#: Channels `deliver` sends; webhook rows have their own delivery (itsm.notifications.webhooks).
DELIVERABLE_CHANNELS = (Channel.EMAIL,)


def due_messages(now, limit: int) -> list[tuple[int, str]]:
    """(id, channel) of rows ready for (re)delivery, oldest first: due retries and stale claims."""
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    due = Q(status__in=DeliveryStatus.retryable(), next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )
    rows = OutboxMessage.objects.filter(due).order_by("next_attempt_at")
    return list(rows.values_list("pk", "channel")[:limit])


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling, capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(message_id: int, now) -> bool:
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    claimable = Q(status__in=DeliveryStatus.retryable(), next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )
    updated = OutboxMessage.objects.filter(claimable, pk=message_id, channel__in=DELIVERABLE_CHANNELS).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return updated == 1


def _send(message: OutboxMessage) -> None:
    if message.channel != Channel.EMAIL:
        raise ValueError(f"No transport for channel {message.channel!r}")
    headers = {**delivery_headers(message), "Message-ID": message.message_id, **message.headers}
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    with get_connection(fail_silently=False) as connection:
        connection.send_messages([email])


def _held_or_suppressed(message: OutboxMessage) -> bool:
    """Apply the recipient's e-mail preferences: hold the row for the digest, or do not send it."""
    decision = preferences.decide(message.recipient_id, message.dedupe_key)
    if decision == preferences.SEND:
        return False
    status = DeliveryStatus.HELD if decision == preferences.HOLD else DeliveryStatus.SUPPRESSED
    OutboxMessage.objects.filter(pk=message.pk).update(status=status, claimed_at=None)
    return True


def _record_success(message: OutboxMessage, started) -> None:
    finished = timezone.now()
    DeliveryAttempt.objects.create(
        message=message, number=message.attempts, started_at=started, finished_at=finished, succeeded=True
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=DeliveryStatus.SENT, sent_at=finished, last_error="", claimed_at=None
    )


def _record_failure(message: OutboxMessage, started, exc: Exception) -> None:
    finished = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        started_at=started,
        finished_at=finished,
        succeeded=False,
        error=error,
    )
    gave_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=DeliveryStatus.DEAD if gave_up else DeliveryStatus.FAILED,
        next_attempt_at=finished + retry_delay(message.attempts),
        last_error=error,
        claimed_at=None,
    )
