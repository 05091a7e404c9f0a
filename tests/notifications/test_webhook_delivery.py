"""Webhook delivery against a real receiver on 127.0.0.1: signed, retried, disabled, never redirected."""

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import Notification, OutboxMessage, WebhookSubscription
from itsm.notifications.tasks import sweep_outbox
from itsm.notifications.webhooks import delivery, services
from itsm.notifications.webhooks.emit import queue_delivery
from tests.notifications.webhook_receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    with Receiver() as running:
        yield running


def subscribe(owner, url, **kwargs) -> WebhookSubscription:
    return services.create_subscription(
        actor=owner,
        name=kwargs.pop("name", "Monitoring"),
        url=url,
        event_types=["incident.created"],
        **kwargs,
    )


def queue(subscription, event="incident.created") -> OutboxMessage:
    payload = {"id": "7f3c", "type": event, "occurred_at": timezone.now().isoformat(), "data": {"id": 1}}
    with transaction.atomic():
        return queue_delivery(subscription.pk, subscription.url, payload)


def verify_reference(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What docs/api.md tells receivers to do, written independently of itsm's signing module."""
    timestamp = headers["X-ITSM-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, headers["X-ITSM-Signature"])


@pytest.mark.django_db(transaction=True)
def test_delivery_is_signed_and_logged(receiver, admin_user):
    # given
    subscription = subscribe(admin_user, receiver.url("/ok"))
    # when
    message = queue(subscription)
    # then
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    (request,) = receiver.received
    assert request.headers["X-ITSM-Event"] == "incident.created"
    assert request.headers["X-ITSM-Delivery"] == message.message_id
    assert request.headers["Content-Type"] == "application/json"
    assert abs(int(request.headers["X-ITSM-Timestamp"]) - timezone.now().timestamp()) < 60
    assert verify_reference(subscription.secret, request.headers, request.body)
    assert not verify_reference("whsec_wrong", request.headers, request.body)
    assert json.loads(request.body)["type"] == "incident.created"
    (attempt,) = message.delivery_attempts.all()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.response_ms is not None
    assert attempt.response_body == "<b>ok</b>"


@pytest.mark.django_db(transaction=True)
def test_response_body_is_truncated_to_2kb(receiver, admin_user):
    message = queue(subscribe(admin_user, receiver.url("/big")))
    attempt = message.delivery_attempts.get()
    assert len(attempt.response_body) == 2048


@pytest.mark.django_db(transaction=True)
def test_failure_is_retried_with_backoff_then_succeeds(receiver, admin_user, settings):
    # given: a receiver that errs
    subscription = subscribe(admin_user, receiver.url("/status/500"))
    message = queue(subscription)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED and message.attempts == 1
    delay = (message.next_attempt_at - message.delivery_attempts.get().finished_at).total_seconds()
    assert 24 <= delay <= 36  # 30 s ± 20 % jitter
    assert message.delivery_attempts.get().status_code == 500
    # when: the receiver is fixed and the sweep finds the due row
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url=receiver.url("/ok"))
    OutboxMessage.objects.filter(pk=message.pk).update(
        to_address=receiver.url("/ok"), next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    sweep_outbox()
    # then
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and message.attempts == 2
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.last_success_at is not None


def test_backoff_schedule_doubles_to_an_hour_and_stops_after_a_day():
    schedule = delivery.retry_schedule(24 * 3600)
    assert schedule[:5] == [0, 30, 90, 210, 450]
    gaps = [b - a for a, b in zip(schedule, schedule[1:], strict=False)]
    assert max(gaps) == 3600 and gaps == sorted(gaps)
    assert schedule[-1] <= 24 * 3600 < schedule[-1] + 3600
    for attempts in range(1, 30):
        seconds = delivery.retry_delay(attempts).total_seconds()
        base = min(30 * 2 ** (attempts - 1), 3600)
        assert 0.8 * base <= seconds <= 1.2 * base


@pytest.mark.django_db(transaction=True)
def test_an_event_older_than_the_retry_window_gives_up(receiver, admin_user, settings):
    settings.WEBHOOK_RETRY_WINDOW = 10
    message = queue(subscribe(admin_user, receiver.url("/status/503")))
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DEAD


@pytest.mark.django_db(transaction=True)
def test_410_disables_the_subscription_and_tells_the_owner(receiver, admin_user):
    # given
    subscription = subscribe(admin_user, receiver.url("/status/410"))
    # when
    message = queue(subscription)
    # then
    message.refresh_from_db()
    subscription.refresh_from_db()
    assert message.status == DeliveryStatus.DEAD
    assert not subscription.is_active and "410" in subscription.disabled_reason
    note = Notification.objects.get(recipient=admin_user)
    assert "Monitoring" in note.title and note.url == subscription.get_absolute_url()
    assert any("Monitoring" in m.subject for m in mail.outbox)
    # and later deliveries are not attempted
    OutboxMessage.objects.filter(pk=message.pk).update(status=DeliveryStatus.PENDING)
    delivery.deliver(message.pk)
    assert len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_repeated_failures_disable_the_subscription_once(receiver, admin_user, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    subscription = subscribe(admin_user, receiver.url("/status/500"))
    for _ in range(3):
        queue(subscription)
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.consecutive_failures == 3
    assert "3 delivery attempts in a row failed" in subscription.disabled_reason
    assert Notification.objects.filter(recipient=admin_user).count() == 1
    # enabling again starts the count afresh
    services.update_subscription(subscription, actor=admin_user, is_active=True)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


@pytest.mark.django_db(transaction=True)
def test_redirects_are_not_followed_to_another_host(receiver, admin_user):
    # given: the receiver redirects to a second one on "localhost"
    with Receiver() as other:
        subscription = subscribe(admin_user, receiver.url(f"/redirect/{other.port}"))
        # when
        message = queue(subscription)
        # then
        assert other.received == []
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    attempt = message.delivery_attempts.get()
    assert attempt.status_code == 302 and "not followed" in attempt.error


@pytest.mark.django_db(transaction=True)
def test_timeouts_are_short_and_recorded(receiver, admin_user, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    message = queue(subscribe(admin_user, receiver.url("/slow/2")))
    attempt = message.delivery_attempts.get()
    assert not attempt.succeeded and "timed out" in attempt.error
    assert attempt.response_ms < 1500


@pytest.mark.django_db(transaction=True)
def test_dns_rebinding_is_refused_at_delivery(receiver, admin_user, settings, monkeypatch):
    # given: a public name when the subscription was saved
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: public)
    subscription = subscribe(admin_user, "http://hooks.example.com/in")
    # when: the name now points at the metadata service
    private = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: private)
    message = queue(subscription)
    # then
    attempt = message.delivery_attempts.get()
    assert not attempt.succeeded and attempt.status_code is None
    assert "169.254.169.254, a link-local address" in attempt.error


@pytest.mark.django_db(transaction=True)
def test_replay_sends_the_same_payload_with_a_new_delivery_id(receiver, admin_user):
    # given
    subscription = subscribe(admin_user, receiver.url("/ok"))
    first = queue(subscription)
    # when
    with transaction.atomic():
        second = services.replay(first, actor=admin_user)
    # then
    second.refresh_from_db()
    assert second.status == DeliveryStatus.SENT
    one, two = receiver.received
    assert one.body == two.body
    assert one.headers["X-ITSM-Delivery"] != two.headers["X-ITSM-Delivery"]
    assert verify_reference(subscription.secret, two.headers, two.body)


@pytest.mark.django_db(transaction=True)
def test_ping_and_rotated_secret(receiver, admin_user):
    subscription = subscribe(admin_user, receiver.url("/ok"))
    old = subscription.secret
    new = services.rotate_secret(subscription, actor=admin_user)
    assert new != old and new.startswith("whsec_")
    services.send_ping(subscription, actor=admin_user)
    (request,) = receiver.received
    assert request.headers["X-ITSM-Event"] == "webhook.ping"
    assert verify_reference(new, request.headers, request.body)
    assert not verify_reference(old, request.headers, request.body)


@pytest.mark.django_db(transaction=True)
def test_too_many_in_flight_defers_without_an_attempt(receiver, admin_user, settings):
    # given: as many slow deliveries of this subscription in flight as allowed
    settings.WEBHOOK_MAX_IN_FLIGHT = 1
    subscription = subscribe(admin_user, receiver.url("/ok"))
    busy = OutboxMessage.objects.create(
        channel="webhook",
        subscription=subscription,
        to_address=subscription.url,
        subject="x",
        status=DeliveryStatus.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=3),  # a delivery that hangs on the receiver
    )
    message = OutboxMessage.objects.create(
        channel="webhook", subscription=subscription, to_address=subscription.url, subject="incident.created"
    )
    # when
    outcome = delivery.deliver(message.pk)
    # then
    message.refresh_from_db()
    assert outcome == delivery.Outcome.DEFERRED
    assert message.status == DeliveryStatus.PENDING and message.attempts == 0
    assert message.next_attempt_at > timezone.now()  # the sweep takes it again later
    assert not message.delivery_attempts.exists() and receiver.received == []
    # once the other delivery finished, the sweep's dispatch delivers it
    OutboxMessage.objects.filter(pk=busy.pk).update(status=DeliveryStatus.SENT)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    sweep_outbox()
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_escalation_step_rows_are_delivered_unsigned(receiver):
    message = OutboxMessage.objects.create(
        channel="webhook",
        to_address=receiver.url("/ok"),
        subject="sla.breached",
        body_text='{"event":"sla.breached"}',
    )
    assert delivery.deliver(message.pk) == delivery.Outcome.SENT
    (request,) = receiver.received
    assert request.headers["X-ITSM-Event"] == "sla.breached" and "X-ITSM-Signature" not in request.headers


@pytest.mark.django_db(transaction=True)
def test_a_healthy_receiver_is_not_capped_until_it_turns_slow(receiver, admin_user, settings):
    # given: another delivery of the subscription just started (quick ones do not count)
    settings.WEBHOOK_MAX_IN_FLIGHT = 1
    subscription = subscribe(admin_user, receiver.url("/ok"))
    busy = OutboxMessage.objects.create(
        channel="webhook", subscription=subscription, to_address=subscription.url, subject="x",
        status=DeliveryStatus.SENDING, claimed_at=timezone.now(),
    )  # fmt: skip
    assert queue(subscription).delivery_attempts.get().succeeded
    # when: a delivery to it takes longer than SLOW_SECONDS
    settings.WEBHOOK_READ_TIMEOUT = 4
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url=receiver.url("/slow/2.5"))
    subscription.refresh_from_db()
    assert queue(subscription).delivery_attempts.get().succeeded
    # then: every delivery in flight counts now, however young
    OutboxMessage.objects.filter(pk=busy.pk).update(claimed_at=timezone.now())
    deferred = queue(subscription)
    deferred.refresh_from_db()
    assert deferred.status == DeliveryStatus.PENDING and deferred.attempts == 0


@pytest.mark.django_db(transaction=True)
def test_a_finished_delivery_of_a_slow_receiver_hands_its_slot_to_a_deferred_one(receiver, admin_user):
    # given: a receiver known to be slow, with a deferred delivery waiting
    from django.core.cache import cache

    subscription = subscribe(admin_user, receiver.url("/ok"))
    cache.set(f"webhooks:slow:{subscription.pk}", True, 60)
    waiting = OutboxMessage.objects.create(
        channel="webhook", subscription=subscription, to_address=subscription.url, subject="incident.created",
        next_attempt_at=timezone.now() + timedelta(seconds=10),
    )  # fmt: skip
    # when
    queue(subscription)
    # then: it went out without waiting for the sweep
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.SENT and len(receiver.received) == 2
