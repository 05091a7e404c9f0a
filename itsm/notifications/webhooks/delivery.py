"""Delivering one webhook outbox row: claim, check the address, POST signed, record, decide.

- The claim is the outbox's compare-and-set UPDATE, so a row is never sent twice at once.
- A slow receiver holds at most `WEBHOOK_MAX_IN_FLIGHT` worker slots, never all of them: a
  delivery over the limit goes back to pending, without counting as an attempt, and the
  outbox sweep dispatches it again (see `_too_many_in_flight`).
- The SSRF guard runs again here (DNS may have changed since the subscription was saved) and
  the connection goes to the checked address.
- 2xx is success. HTTP 410 disables the subscription. Anything else is retried with
  exponential backoff and jitter while the event is younger than `WEBHOOK_RETRY_WINDOW`;
  `WEBHOOK_DISABLE_AFTER_FAILURES` failed attempts in a row disable the subscription.
  Disabling tells the owner (in-app and e-mail).
"""

import logging
import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from itsm.core import configcache
from itsm.notifications import ssrf
from itsm.notifications.choices import Channel, DeliveryStatus
from itsm.notifications.models import DeliveryAttempt, OutboxMessage, WebhookSubscription
from itsm.notifications.webhooks import transport
from itsm.notifications.webhooks.signing import signature

logger = logging.getLogger(__name__)

#: Seconds a row deferred by the in-flight limit waits before the sweep may dispatch it again.
DEFER_SECONDS = 10
#: A success within this many seconds of the last recorded one does not write the subscription.
SUCCESS_STAMP_SECONDS = 60
#: A delivery taking longer than this marks its receiver slow for `SLOW_MEMORY` seconds.
SLOW_SECONDS = 2.0
#: Deliveries running longer than this count against the limit even before a receiver is known slow.
LONG_CLAIM_SECONDS = 1.0
SLOW_MEMORY = 300
USER_AGENT = "ITSM-Webhooks/1.0"


class Outcome:
    SENT = "sent"
    FAILED = "failed"
    DEFERRED = "deferred"
    SKIPPED = "skipped"


def deliver(message_id: int) -> str:
    """Try to deliver the row now; returns what happened (an `Outcome`)."""
    now = timezone.now()
    if not _claim(message_id, now):
        return Outcome.SKIPPED
    message = OutboxMessage.objects.select_related("subscription").get(pk=message_id)
    subscription = message.subscription
    if subscription is not None and not subscription.is_active:
        _finish(message, DeliveryStatus.DEAD, "The subscription is disabled.")
        return Outcome.SKIPPED
    slow = subscription is not None and bool(cache.get(_slow_key(subscription.pk)))
    if subscription is not None and _too_many_in_flight(message, now, slow=slow):
        _defer(message, now)
        cache.set(_slow_key(subscription.pk), True, SLOW_MEMORY)  # its deliveries pile up: slow
        return Outcome.DEFERRED
    try:
        return _deliver_claimed(message, subscription)
    finally:
        if slow:
            _hand_off(subscription.pk)


def _deliver_claimed(message: OutboxMessage, subscription: WebhookSubscription | None) -> str:
    started = timezone.now()
    response, error = _attempt(message, subscription)
    finished = timezone.now()
    _remember_if_slow(message, started, finished)
    succeeded = response is not None and 200 <= response.status < 300
    if response is not None and not succeeded and not error:
        error = _http_error(response)
    _record_attempt(message, started, finished, response, succeeded, error)
    if succeeded:
        _record_success(message, subscription, finished)
        return Outcome.SENT
    _record_failure(message, subscription, finished, response, error)
    return Outcome.FAILED


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling up to one hour, each ±20 % so retries do not arrive in waves."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def retry_schedule(window_seconds: int) -> list[float]:
    """Seconds after the event of each attempt without jitter (for docs and tests)."""
    schedule, at, attempt = [0.0], 0.0, 1
    while True:
        at += min(30 * 2 ** (attempt - 1), 3600)
        if at > window_seconds:
            return schedule
        schedule.append(at)
        attempt += 1


def signed_headers(
    message: OutboxMessage, secret: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-ITSM-Event": message.subject,
        "X-ITSM-Delivery": message.message_id,
        "X-ITSM-Timestamp": str(timestamp),
    }
    if secret:
        headers["X-ITSM-Signature"] = signature(secret, timestamp, body)
    return headers


def _claimable(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    return Q(status__in=DeliveryStatus.retryable(), next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )


def _claim(message_id: int, now: datetime) -> bool:
    updated = OutboxMessage.objects.filter(_claimable(now), pk=message_id, channel=Channel.WEBHOOK).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return updated == 1


def _too_many_in_flight(message: OutboxMessage, now: datetime, *, slow: bool) -> bool:
    """Whether this subscription already has its share of worker slots.

    Deliveries that finish quickly never count: for a healthy receiver only those running
    longer than `LONG_CLAIM_SECONDS` do, so its throughput is not capped. Once a receiver was
    seen being slow (an attempt over `SLOW_SECONDS`, or a delivery deferred here, in the last
    `SLOW_MEMORY` seconds), every delivery in flight counts.
    """
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    others = OutboxMessage.objects.filter(
        subscription_id=message.subscription_id, status=DeliveryStatus.SENDING, claimed_at__gte=stale
    ).exclude(pk=message.pk)
    if not slow:
        others = others.filter(claimed_at__lte=now - timedelta(seconds=LONG_CLAIM_SECONDS))
    return others.count() >= settings.WEBHOOK_MAX_IN_FLIGHT


def _hand_off(subscription_id: int) -> None:
    """A slot of a slow subscription came free: dispatch its oldest deferred row now.

    Deferred rows are the pending ones due in the future (new rows are due at once, retries
    are `failed`), so a slow receiver gets its next delivery as soon as one finishes instead
    of waiting for the sweep, and never more than its share of workers.
    """
    from itsm.notifications.tasks import deliver_webhook

    now = timezone.now()
    waiting = OutboxMessage.objects.filter(
        subscription_id=subscription_id, status=DeliveryStatus.PENDING, next_attempt_at__gt=now
    ).order_by("pk")
    next_id = waiting.values_list("pk", flat=True).first()
    if next_id is not None and OutboxMessage.objects.filter(pk=next_id, status=DeliveryStatus.PENDING).update(
        next_attempt_at=now
    ):
        deliver_webhook.delay(next_id)


def _remember_if_slow(message: OutboxMessage, started: datetime, finished: datetime) -> None:
    """A receiver that took over `SLOW_SECONDS` (incl. timeouts) is treated as slow for a while."""
    if message.subscription_id and (finished - started).total_seconds() > SLOW_SECONDS:
        cache.set(_slow_key(message.subscription_id), True, SLOW_MEMORY)


def _slow_key(subscription_id: int) -> str:
    return f"webhooks:slow:{subscription_id}"


def _defer(message: OutboxMessage, now: datetime) -> None:
    """Back to pending, not counted as an attempt; the outbox sweep dispatches it again.

    Not re-queued at once: hundreds of deliveries to one slow receiver would otherwise bounce
    through the workers every few seconds and crowd out everyone else's.
    """
    OutboxMessage.objects.filter(pk=message.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING,
        attempts=F("attempts") - 1,
        claimed_at=None,
        next_attempt_at=now + timedelta(seconds=DEFER_SECONDS),
    )


def _attempt(message: OutboxMessage, subscription: WebhookSubscription | None):
    """(response, error): the receiver's answer, or why there was none."""
    body = message.body_text.encode()
    headers = signed_headers(message, subscription.secret if subscription else "", body)
    try:
        destination = ssrf.check_url(message.to_address)
        response = transport.post(
            destination,
            body,
            headers,
            connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT,
            read_timeout=settings.WEBHOOK_READ_TIMEOUT,
        )
    except ssrf.UnsafeDestination as exc:
        return None, f"Refused: {exc}"
    except Exception as exc:  # timeouts, refused connections, TLS and protocol errors
        logger.info("webhook delivery %s failed: %s", message.pk, exc)
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    return response, ""


def _http_error(response: transport.Response) -> str:
    if 300 <= response.status < 400:
        return f"HTTP {response.status}: redirect to {response.location or '(no Location)'} not followed."
    return f"HTTP {response.status}"


def _record_attempt(message, started, finished, response, succeeded: bool, error: str) -> None:
    DeliveryAttempt.objects.create(
        message=message,
        number=message.attempts,
        started_at=started,
        finished_at=finished,
        succeeded=succeeded,
        error=error,
        status_code=response.status if response else None,
        response_ms=response.elapsed_ms if response else round((finished - started).total_seconds() * 1000),
        response_body=response.body if response else "",
    )


def _record_success(message: OutboxMessage, subscription, finished: datetime) -> None:
    _finish(message, DeliveryStatus.SENT, "", sent_at=finished)
    if subscription is None:
        return
    last = subscription.last_success_at
    recent = last is not None and finished - last < timedelta(seconds=SUCCESS_STAMP_SECONDS)
    if subscription.consecutive_failures or not recent:  # a healthy receiver: one write a minute
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            consecutive_failures=0, last_success_at=finished
        )


def _record_failure(message: OutboxMessage, subscription, finished: datetime, response, error: str) -> None:
    gone = response is not None and response.status == 410
    retry_at = finished + retry_delay(message.attempts)
    window_end = message.created_at + timedelta(seconds=settings.WEBHOOK_RETRY_WINDOW)
    if gone or retry_at > window_end:
        _finish(message, DeliveryStatus.DEAD, error)
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=DeliveryStatus.FAILED, next_attempt_at=retry_at, last_error=error, claimed_at=None
        )
    if subscription is None:
        return
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, last_failure_at=finished
    )
    if gone:
        disable(subscription, "The receiver answered HTTP 410 Gone.")
        return
    failures = WebhookSubscription.objects.values_list("consecutive_failures", flat=True).get(
        pk=subscription.pk
    )
    if failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        disable(subscription, f"{failures} delivery attempts in a row failed (last: {error})")


def _finish(message: OutboxMessage, status: str, error: str, sent_at: datetime | None = None) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, last_error=error, claimed_at=None, sent_at=sent_at
    )


def disable(subscription: WebhookSubscription, reason: str) -> bool:
    """Turn the subscription off (once) and tell its owner; True when this call disabled it."""
    from itsm.notifications.services import notify_user

    now = timezone.now()
    with transaction.atomic():
        changed = WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, disabled_reason=reason[:300], disabled_at=now
        )
        if not changed:
            return False
        configcache.forget("webhooks.subscriptions")
        subscription.refresh_from_db()
        notify_user(
            subscription.owner,
            title=f"Webhook “{subscription.name}” was disabled",
            body=f"{reason[:300]} Fix the receiver, then enable the subscription again on its page.",
            url=subscription.get_absolute_url(),
            email_template="task_update",
            dedupe_key=f"webhook:{subscription.pk}:disabled:{now.timestamp():.0f}",
        )
    return True
