"""The outbox against a real SMTP server on loopback: sent after commit, retried, never doubled."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from itsm.notifications import delivery
from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import Notification, OutboxMessage
from itsm.notifications.services import mark_read, notify_user, queue_email
from itsm.notifications.tasks import sweep_outbox
from tests.factories import TaskFactory
from tests.smtp import LoopbackSMTPServer


@pytest.fixture
def smtp(settings):
    server = LoopbackSMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings):
    """An SMTP address where nothing listens."""
    from tests.smtp import _free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()
    settings.EMAIL_TIMEOUT = 2


@pytest.mark.django_db(transaction=True)
def test_mail_is_sent_after_commit_with_its_message_id(smtp):
    # when
    with transaction.atomic():
        message = queue_email(
            to="rita@example.org", subject="Hello\nInjected: header", text="Body", html="<p>Body</p>"
        )
        assert smtp.messages == []  # nothing leaves before commit
    # then
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and message.attempts == 1
    received = smtp.messages[0]
    assert received["Subject"] == "Hello Injected: header"
    assert received["Message-ID"] == message.message_id
    assert received.is_multipart()
    assert message.delivery_attempts.get().succeeded


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(to="rita@example.org", subject="Never", text="x")
        raise RuntimeError("the service failed")
    assert not OutboxMessage.objects.exists()
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_failed_delivery_is_recorded_then_retried_by_the_sweep(settings, smtp_down):
    # given: SMTP is down when the message is queued
    message = queue_email(to="rita@example.org", subject="Retry me", text="x")
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert message.next_attempt_at > timezone.now()
    assert "Error" in message.last_error or "refused" in message.last_error.lower()
    # when: the server is back and the retry is due
    server = LoopbackSMTPServer().start()
    try:
        settings.EMAIL_PORT = server.port
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        assert sweep_outbox() == 1
        # then
        message.refresh_from_db()
        assert message.status == DeliveryStatus.SENT and message.attempts == 2
        assert [a.succeeded for a in message.delivery_attempts.all()] == [False, True]
        assert len(server.messages) == 1
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_the_maximum_attempts(settings, smtp_down):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = queue_email(to="rita@example.org", subject="Doomed", text="x")
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    delivery.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == DeliveryStatus.DEAD and message.attempts == 2
    assert sweep_outbox() == 0


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_never_sent_again(smtp):
    message = queue_email(to="rita@example.org", subject="Once", text="x")
    assert delivery.deliver(message.pk) is False
    assert sweep_outbox() == 0
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_claim_left_by_a_dead_worker_is_taken_back_after_the_timeout(settings, smtp):
    # given: a worker claimed the row and died before sending
    message = OutboxMessage.objects.create(
        to_address="rita@example.org",
        subject="Orphan",
        status=DeliveryStatus.SENDING,
        claimed_at=timezone.now(),
        attempts=1,
    )
    assert sweep_outbox() == 0  # still within the claim timeout
    # when
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT + 1)
    )
    # then
    assert sweep_outbox() == 1
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT and len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_lost_dispatch_is_delivered_by_the_sweep(smtp):
    # given: a row whose on-commit dispatch was lost (the broker was down)
    OutboxMessage.objects.create(to_address="rita@example.org", subject="Lost", body_text="x")
    # when / then
    assert sweep_outbox() == 1
    assert [m["Subject"] for m in smtp.messages] == ["Lost"]


@pytest.mark.django_db
def test_the_same_event_queues_once():
    assert (
        queue_email(to="a@example.org", subject="s", text="t", dedupe_key="incident:1:resolved") is not None
    )
    assert queue_email(to="a@example.org", subject="s", text="t", dedupe_key="incident:1:resolved") is None
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_leaves_the_callers_transaction_usable(django_capture_on_commit_callbacks):
    # given: the event was queued in an earlier transaction
    first = queue_email(to="a@example.org", subject="s", text="t", headers={"X-Ref": "1"}, dedupe_key="k")
    # when: a later transaction queues it again, then goes on writing
    with transaction.atomic():
        again = queue_email(to="a@example.org", subject="s", text="t", dedupe_key="k")
        other = queue_email(to="b@example.org", subject="s", text="t", dedupe_key="k2")
    # then
    assert again is None
    assert other.pk and other.pk != first.pk
    assert OutboxMessage.objects.get(pk=first.pk).headers == {"X-Ref": "1"}
    assert sorted(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == ["k", "k2"]


def test_retry_delay_doubles_and_is_capped():
    assert [delivery.retry_delay(n).total_seconds() for n in (1, 2, 3, 10)] == [30, 60, 120, 3600]


@pytest.mark.django_db(transaction=True)
def test_notify_user_writes_an_in_app_notification_and_an_escaped_email(smtp, requester):
    # given
    task = TaskFactory(requester=requester, title="<script>alert(1)</script> printer")
    # when
    notification = notify_user(
        requester,
        title="Your incident was resolved",
        body="We replaced the toner.",
        url=f"/work/tasks/{task.pk}/",
        task=task,
        email_template="task_update",
        dedupe_key=f"task:{task.pk}:resolved",
    )
    # then
    assert notification.read_at is None
    received = smtp.messages[0]
    assert received["Subject"] == f"[{task.number}] Your incident was resolved"
    html = next(part for part in received.walk() if part.get_content_type() == "text/html").get_payload(
        decode=True
    )
    assert b"<script>" not in html and b"&lt;script&gt;" in html
    text = next(part for part in received.walk() if part.get_content_type() == "text/plain").get_payload(
        decode=True
    )
    assert f"/work/tasks/{task.pk}/".encode() in text and b"http" in text


@pytest.mark.django_db
def test_inactive_users_are_not_notified(requester):
    requester.is_active = False
    requester.save()
    assert notify_user(requester, title="x") is None
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_mark_read_touches_only_the_users_own_notifications(requester, other_requester):
    mine = notify_user(requester, title="mine")
    theirs = notify_user(other_requester, title="theirs")
    assert mark_read(requester, [mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_only_one_of_two_racing_claims_wins():
    message = OutboxMessage.objects.create(to_address="a@example.org", subject="race")
    now = timezone.now()
    assert [delivery._claim(message.pk, now), delivery._claim(message.pk, now)] == [True, False]


@pytest.mark.django_db
def test_webhook_rows_go_to_the_webhook_delivery_not_the_mail_one(monkeypatch):
    from itsm.notifications import tasks
    from itsm.notifications.choices import Channel

    message = OutboxMessage.objects.create(channel=Channel.WEBHOOK, to_address="https://hooks.example/x")
    assert delivery.deliver(message.pk) is False  # the e-mail transport never claims a webhook row
    message.refresh_from_db()
    assert message.status == DeliveryStatus.PENDING and message.attempts == 0
    # the sweep hands it to the webhook task (its own queue)
    handed: list[int] = []
    monkeypatch.setattr(tasks.deliver_webhook, "delay", handed.append)
    assert sweep_outbox() == 1 and handed == [message.pk]
