"""Outbound mail people can act on: threading headers, reply address, number, loop markers,
preferences and the digest — end to end through a real SMTP server on loopback."""

import email

import pytest
from django.core import mail as django_mail

from incidents.models import Incident
from itsm.approvals.tokens import approval_link
from itsm.mail.addresses import number_from_address, reply_address
from itsm.mail.choices import DeliveryMode, EventCategory
from itsm.mail.digest import send_due_digests
from itsm.mail.models import MailPreference
from itsm.mail.preferences import category_of, update_preferences
from itsm.mail.services import ingest_message
from itsm.notifications import delivery
from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import OutboxMessage
from itsm.notifications.services import notify_user, queue_email
from tests.factories import TaskFactory
from tests.mail.conftest import build_mail
from tests.smtp import LoopbackSMTPServer


def plain_text(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


@pytest.fixture
def smtp(settings):
    server = LoopbackSMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Service Desk <servicedesk@example.com>"
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_mail_raised_incident_round_trip_through_smtp(smtp, settings):
    # given: Rita's mail raises an incident; the acknowledgement goes out through SMTP after commit
    from tests.factories import UserFactory

    rita = UserFactory(username="rita", email="rita@example.org", roles=["requester"])
    first = ingest_message(build_mail(message_id="<first@client.example.org>"))
    incident = Incident.objects.get(pk=first.task_id)
    ack = next(m for m in smtp.messages if m["To"] == "rita@example.org")
    # then: it can be acted on and threads with her mail
    assert incident.number in ack["Subject"]
    assert number_from_address(ack["Reply-To"]) == incident.number
    assert ack["Auto-Submitted"] == "auto-generated" and ack["X-Auto-Response-Suppress"] == "All"
    assert ack["In-Reply-To"] == "<first@client.example.org>" == ack["References"]
    assert ack["Message-ID"] == OutboxMessage.objects.get(task=incident, recipient=rita).message_id
    parts = {part.get_content_type() for part in ack.walk()}
    assert {"text/plain", "text/html"} <= parts
    text = plain_text(ack)
    assert settings.SITE_URL + incident.get_absolute_url() in text
    # when: she answers the acknowledgement from her client
    answer = build_mail(
        subject=f"Re: {ack['Subject']}", text="It happens on tray 2 only.", in_reply_to=ack["Message-ID"]
    )
    reply = ingest_message(answer)
    # then
    assert reply.task_id == incident.pk and reply.matched_by == "headers"


def test_queued_mail_about_a_record_has_its_number_and_reply_address(db):
    task = TaskFactory()
    message = queue_email(to="a@example.org", subject="Update", text="x", task=task)
    assert message.subject == f"[{task.number}] Update"
    assert message.headers["Reply-To"] == reply_address(task.number)
    again = queue_email(to="a@example.org", subject=f"Re: {task.number} done", text="x", task=task)
    assert again.subject == f"Re: {task.number} done"  # not twice


def test_plus_addressing_can_be_switched_off(settings, db):
    settings.MAIL_PLUS_ADDRESSING = False
    settings.MAIL_REPLY_ADDRESS = "help@example.com"
    assert reply_address("INC0001234") == "help@example.com"


@pytest.mark.django_db(transaction=True)
def test_approval_mail_carries_the_signed_decision_link_and_ignores_digest_mode(smtp):
    # given: an approver who prefers a digest (approvals are never held)
    from itsm.approvals.services import StageSpec, start_approval
    from itsm.core.choices import StateCategory, TaskKind
    from tests.factories import UserFactory

    requester = UserFactory(username="req", email="req@example.org", roles=["requester"])
    approver = UserFactory(username="boss", email="boss@example.org", roles=["requester"])
    update_preferences(approver, actor=approver, mode=DeliveryMode.DIGEST, muted=[])
    subject = TaskFactory(
        kind=TaskKind.REQUEST_ITEM,
        requester=requester,
        state="awaiting_approval",
        state_category=StateCategory.PENDING,
    )
    # when
    plan = start_approval(subject, [StageSpec(name="Manager", approvers=[approver])], actor=requester)
    # then
    approval = plan.stages.get().approvals.get()
    mail = next(m for m in smtp.messages if m["To"] == "boss@example.org")
    text = plain_text(mail)
    assert approval_link(approval) in text
    assert approval.number in mail["Subject"] and number_from_address(mail["Reply-To"]) == approval.number


@pytest.mark.parametrize(
    "key, category",
    [
        ("incident:1:created:5", EventCategory.CONFIRMATIONS),
        ("incident:1:reply:9:5", EventCategory.REPLIES),
        ("incident:1:assigned:v2:5", EventCategory.ASSIGNMENTS),
        ("incident:1:resolve:5", EventCategory.UPDATES),
        ("catalog:3:submitted:5", EventCategory.CONFIRMATIONS),
        ("approval:7:requested:5", EventCategory.APPROVALS),
        ("sla:4:80", EventCategory.SLA),
        ("digest:5:99", None),
        (None, None),
    ],
)
def test_event_categories_come_from_the_dedupe_key(key, category):
    assert category_of(key) == category


def _notify(user, key: str, task=None):
    return notify_user(
        user, title=f"Event {key}", task=task, email_template="task_update", dedupe_key=key, url="/x/"
    )


@pytest.mark.django_db(transaction=True)
def test_muted_events_and_mode_off_are_not_mailed(smtp):
    from tests.factories import UserFactory

    user = UserFactory(username="mia", email="mia@example.org")
    update_preferences(user, actor=user, mode=DeliveryMode.IMMEDIATE, muted=[EventCategory.UPDATES])
    _notify(user, "incident:1:resolve:1")
    _notify(user, "incident:1:reply:2:1")
    statuses = dict(OutboxMessage.objects.values_list("dedupe_key", "status"))
    assert statuses == {
        "incident:1:resolve:1:email": DeliveryStatus.SUPPRESSED,
        "incident:1:reply:2:1:email": DeliveryStatus.SENT,
    }
    update_preferences(user, actor=user, mode=DeliveryMode.OFF, muted=[])
    _notify(user, "incident:1:reply:3:1")
    _notify(user, "approval:1:requested:1")  # approvals still go
    statuses = dict(OutboxMessage.objects.values_list("dedupe_key", "status"))
    assert statuses["incident:1:reply:3:1:email"] == DeliveryStatus.SUPPRESSED
    assert statuses["approval:1:requested:1:email"] == DeliveryStatus.SENT
    assert len(smtp.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_digest_holds_mail_and_sends_one_summary(smtp, settings):
    from tests.factories import UserFactory

    user = UserFactory(username="dora", email="dora@example.org")
    update_preferences(user, actor=user, mode=DeliveryMode.DIGEST, muted=[])
    task = TaskFactory()
    for n in range(3):
        _notify(user, f"incident:{task.pk}:reply:{n}:{user.pk}", task=task)
    assert smtp.messages == []
    assert OutboxMessage.objects.filter(status=DeliveryStatus.HELD).count() == 3
    # when
    assert send_due_digests() == 1
    # then
    assert len(smtp.messages) == 1
    digest = smtp.messages[0]
    assert "3 updates" in digest["Subject"] and digest["To"] == "dora@example.org"
    assert task.number in plain_text(digest)
    assert OutboxMessage.objects.filter(status=DeliveryStatus.DIGESTED).count() == 3
    assert send_due_digests() == 0  # not again before the interval
    MailPreference.objects.update(last_digest_at=None)
    assert send_due_digests() == 0  # nothing held


def test_only_the_person_or_an_admin_changes_preferences(requester, other_requester):
    from itsm.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        update_preferences(requester, actor=other_requester, mode=DeliveryMode.OFF, muted=[])


def test_approvals_cannot_be_muted(requester):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        muted = [EventCategory.APPROVALS]
        update_preferences(requester, actor=requester, mode=DeliveryMode.DIGEST, muted=muted)


def test_preferences_page(client, requester):
    client.force_login(requester)
    page = client.get("/mail/preferences/")
    assert page.status_code == 200 and b"E-mail settings" in page.content
    response = client.post("/mail/preferences/", {"mode": "digest", "wanted": ["replies", "assignments"]})
    assert response.status_code == 302
    preference = MailPreference.objects.get(user=requester)
    assert preference.mode == "digest" and set(preference.muted) == {"confirmations", "updates", "sla"}
    bad = client.post("/mail/preferences/", {"mode": "sometimes"})
    assert bad.status_code == 200 and b"sometimes" in bad.content


def test_delivery_of_a_row_without_recipient_ignores_preferences(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []
    key = "incident:1:created:team:3"
    message = queue_email(to="team@example.org", subject="x", text="y", dedupe_key=key)
    assert delivery.deliver(message.pk) is True
    message.refresh_from_db()
    assert message.status == DeliveryStatus.SENT
    sent = email.message_from_bytes(django_mail.outbox[-1].message().as_bytes())
    assert sent["X-Loop"] == settings.EMAIL_MESSAGE_ID_DOMAIN
