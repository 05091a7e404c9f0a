"""Ingestion: new mail raises incidents, replies join them, and nothing bad gets through or is lost."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from incidents.choices import ContactType
from incidents.models import Incident
from incidents.services import resolve_incident
from itsm.core.models import Attachment, TaskLink, TimelineEntry
from itsm.mail.addresses import reply_address, token_for
from itsm.mail.choices import MessageStatus, Outcome
from itsm.mail.models import InboundMessage
from itsm.mail.services import ingest_message
from itsm.notifications.models import OutboxMessage
from tests.mail.conftest import build_mail, sample

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_new_mail_raises_an_incident_for_the_sender(mailbox, rita):
    # when
    record = ingest_message(build_mail(), mailbox=mailbox)
    # then
    incident = Incident.objects.get(pk=record.task_id)
    assert record.status == MessageStatus.PROCESSED and record.outcome == Outcome.CREATED
    assert incident.requester == rita and incident.contact_type == ContactType.EMAIL
    assert incident.title == "Printer on floor 3 jams"
    assert incident.description == "The printer jams on every page."
    assert record.read_raw().startswith(b"From:") or b"Message-ID" in record.read_raw()


def test_attachments_and_inline_images_are_stored_through_the_service(mailbox, rita):
    raw = build_mail(files=[("error.log", "text/plain", b"E: paper jam"), ("screen.png", "image/png", PNG)])
    record = ingest_message(raw, mailbox=mailbox)
    names = set(Attachment.objects.filter(task_id=record.task_id).values_list("filename", flat=True))
    assert names == {"error.log", "screen.png"}
    assert TimelineEntry.objects.filter(task_id=record.task_id, action="task.attachment_added").count() == 2


def test_a_file_type_outside_the_allow_list_is_skipped_and_noted(mailbox, rita):
    raw = build_mail(files=[("setup.exe", "application/octet-stream", b"MZ" * 10)])
    record = ingest_message(raw, mailbox=mailbox)
    assert record.status == MessageStatus.PROCESSED
    assert not Attachment.objects.filter(task_id=record.task_id).exists()
    assert "setup.exe" in record.detail and "not accepted" in record.detail


def test_an_html_only_mail_with_scripts_lands_as_safe_text(mailbox, rita, client):
    html = (
        '<html><head><script>alert("head")</script><style>p{}</style></head>'
        '<body onload="steal()"><p>Screen is <b>black</b></p><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">click</a><script>document.cookie</script>'
        "<p>&lt;script&gt;still text&lt;/script&gt;</p></body></html>"
    )
    record = ingest_message(build_mail(text=None, html=html), mailbox=mailbox)
    incident = Incident.objects.get(pk=record.task_id)
    assert "Screen is black" in incident.description
    for dangerous in ("alert(", "onload", "onerror", "javascript:", "document.cookie", "<b>"):
        assert dangerous not in incident.description
    # the page escapes what is left
    client.force_login(rita)
    response = client.get(incident.get_absolute_url(), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>still text" not in page and "&lt;script&gt;still text" in page


def test_charsets_reach_the_incident(mailbox, db):
    mailbox.create_senders = True
    mailbox.save()
    record = ingest_message(sample("rt-new-ticket-from-gb18030.eml"), mailbox=mailbox)
    assert record.status == MessageStatus.PROCESSED
    assert Incident.objects.get(pk=record.task_id).title == "测试"


@pytest.mark.parametrize(
    "name",
    [
        "talon-reply-outlook.eml",
        "dhd-utf-nondecodable.eml",
        "mail-attachment_pdf.eml",
        "rt-outlook-rfc822.eml",
        "mail-raw_email_with_nested_attachment.eml",
        "dhd-pgp.eml",
        "mail-japanese_attachment_long_name.eml",
    ],
)
def test_real_mail_from_a_new_correspondent_is_processed(name, mailbox):
    mailbox.create_senders = True
    mailbox.save()
    record = ingest_message(sample(name), mailbox=mailbox)
    assert record.status == MessageStatus.PROCESSED, record.reason
    assert Incident.objects.filter(pk=record.task_id, contact_type=ContactType.EMAIL).exists()


def test_unknown_senders_get_a_polite_refusal_and_no_incident(mailbox):
    record = ingest_message(build_mail(sender="stranger@elsewhere.example"), mailbox=mailbox)
    assert record.status == MessageStatus.REJECTED and record.task_id is None
    refusal = OutboxMessage.objects.get(to_address="stranger@elsewhere.example")
    assert refusal.subject.startswith("Re: ") and refusal.headers["Auto-Submitted"] == "auto-replied"
    assert refusal.headers["In-Reply-To"] == record.message_id
    assert not Incident.objects.exists()


def test_a_mailbox_may_create_requester_accounts_for_allowed_domains(mailbox):
    mailbox.create_senders, mailbox.allowed_domains = True, "example.org"
    mailbox.save()
    created = ingest_message(build_mail(sender="Nina New <nina@example.org>"), mailbox=mailbox)
    refused = ingest_message(build_mail(sender="eve@evil.example"), mailbox=mailbox)
    nina = User.objects.get(email="nina@example.org")
    assert nina.first_name == "Nina" and not nina.has_usable_password()
    assert nina.groups.filter(name="requester").exists()
    assert created.status == MessageStatus.PROCESSED and refused.status == MessageStatus.REJECTED


def test_automatic_mail_is_never_a_ticket_nor_answered(mailbox, rita):
    for name in ("sisimai-autoreply-rfc3834-01.eml", "sisimai-bounce-postfix-01.eml", "sisimai-arf-01.eml"):
        record = ingest_message(sample(name), mailbox=mailbox)
        assert record.status == MessageStatus.IGNORED and record.reason
    raw = build_mail(headers={"Auto-Submitted": "auto-replied"}, subject="Out of office")
    assert ingest_message(raw, mailbox=mailbox).status == MessageStatus.IGNORED
    assert not Incident.objects.exists() and not OutboxMessage.objects.exists()


def test_a_duplicate_delivery_of_a_message_id_is_ignored(mailbox, rita):
    raw = build_mail(message_id="<once@client.example.org>")
    first = ingest_message(raw, mailbox=mailbox)
    second = ingest_message(raw, mailbox=mailbox)
    assert first.status == MessageStatus.PROCESSED and second.status == MessageStatus.DUPLICATE
    assert Incident.objects.count() == 1 and InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty"),
        (sample("rt-lorem-ipsum.eml"), "no headers"),
        (b"Subject: who sent this?\r\n\r\nnobody\r\n", "sender"),
    ],
)
def test_unreadable_mail_is_quarantined_with_its_reason_and_bytes(mailbox, raw, reason):
    record = ingest_message(raw, mailbox=mailbox)
    assert record.status == MessageStatus.QUARANTINED and reason in record.reason.lower()
    assert InboundMessage.objects.quarantined().get(pk=record.pk).read_raw() == raw


def test_a_message_over_the_size_limit_is_quarantined(mailbox, rita, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 1000
    record = ingest_message(build_mail(text="x" * 2000), mailbox=mailbox)
    assert record.status == MessageStatus.QUARANTINED and "limit" in record.reason


def test_a_service_refusal_quarantines_instead_of_crashing(mailbox, rita):
    rita.is_active = False  # an inactive account cannot be the requester
    rita.save()
    mailbox.create_senders = False
    mailbox.save()
    record = ingest_message(build_mail(), mailbox=mailbox)
    assert record.status == MessageStatus.REJECTED  # inactive accounts are not senders
    User.objects.filter(pk=rita.pk).update(is_active=True)
    record = ingest_message(build_mail(subject=" "), mailbox=mailbox)
    assert record.status == MessageStatus.PROCESSED  # the first line of the text is the title


def test_a_handler_error_is_quarantined_and_rolled_back(mailbox, rita, monkeypatch):
    from incidents import mail as incident_mail

    def boom(*args, **kwargs):
        raise RuntimeError("database constraint surprise")

    monkeypatch.setattr(incident_mail.services, "create_incident", boom)
    record = ingest_message(build_mail(), mailbox=mailbox)
    assert record.status == MessageStatus.QUARANTINED and "surprise" in record.reason
    assert record.task_id is None and not Incident.objects.exists()


def test_per_sender_rate_limit(mailbox, rita, settings):
    settings.MAIL_RATE_LIMIT, settings.MAIL_RATE_WINDOW = 3, 3600
    statuses = [ingest_message(build_mail(subject=f"Issue {n}"), mailbox=mailbox).status for n in range(5)]
    assert statuses == [MessageStatus.PROCESSED] * 3 + [MessageStatus.RATE_LIMITED] * 2
    assert Incident.objects.count() == 3
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert ingest_message(build_mail(subject="Later"), mailbox=mailbox).status == MessageStatus.PROCESSED


# --- threading --------------------------------------------------------------------------


def _reply(to_message_id: str, n: int, **kwargs) -> bytes:
    kwargs.setdefault("subject", "Re: Printer on floor 3 jams")
    return build_mail(
        text=f"Reply number {n}.\n\nOn Mon, 1 Jan 2024, Desk wrote:\n> earlier text",
        in_reply_to=to_message_id,
        references=[to_message_id],
        **kwargs,
    )


def test_a_conversation_of_five_messages_lands_on_one_incident(mailbox, rita, staff_agent):
    # given: the first mail raises the incident and the desk's acknowledgement goes out
    first = ingest_message(build_mail(), mailbox=mailbox)
    incident = Incident.objects.get(pk=first.task_id)
    ack = OutboxMessage.objects.filter(task=incident, recipient=rita).latest("pk")
    # when: a reply to the acknowledgement (headers), one whose client lost the headers but kept
    # the reply address, one with only the number in the subject, one answering a reply
    second = ingest_message(_reply(ack.message_id, 2), mailbox=mailbox)
    third = ingest_message(
        build_mail(text="Third.", to=reply_address(incident.number), subject="Printer"), mailbox=mailbox
    )
    fourth = ingest_message(
        build_mail(text="Fourth.", subject=f"Re: [{incident.number}] Printer"), mailbox=mailbox
    )
    fifth = ingest_message(_reply(second.message_id, 5), mailbox=mailbox)
    # then
    records = [first, second, third, fourth, fifth]
    assert {r.task_id for r in records} == {incident.pk} and Incident.objects.count() == 1
    assert [r.matched_by for r in records] == ["", "headers", "reply_address", "subject", "headers"]
    replies = list(
        TimelineEntry.objects.filter(task=incident, action="task.comment_added").values_list(
            "body", flat=True
        )
    )
    assert replies == ["Reply number 2.", "Third.", "Fourth.", "Reply number 5."]  # quotes cut


def test_a_forged_reply_token_does_not_thread(mailbox, rita, other_requester):
    other_requester.email = "otto@example.org"
    other_requester.save()
    theirs = Incident.objects.get(
        pk=ingest_message(build_mail(sender="otto@example.org"), mailbox=mailbox).task_id
    )
    forged = f"servicedesk+{theirs.number}.{'0' * 10}@example.com"
    assert token_for(theirs.number) != "0" * 10
    record = ingest_message(build_mail(to=forged, subject="hello"), mailbox=mailbox)
    assert record.task_id != theirs.pk and record.outcome == Outcome.CREATED


def test_a_reply_to_someone_elses_record_becomes_a_new_incident(mailbox, rita, other_requester):
    other_requester.email = "otto@example.org"
    other_requester.save()
    theirs = ingest_message(build_mail(sender="otto@example.org"), mailbox=mailbox)
    mine = ingest_message(_reply(theirs.message_id, 1), mailbox=mailbox)
    assert mine.task_id != theirs.task_id and mine.outcome == Outcome.CREATED
    assert Incident.objects.get(pk=mine.task_id).requester == rita
    assert "cannot see" in mine.detail


def test_a_reply_to_a_resolved_incident_reopens_it_within_the_window(mailbox, rita, staff_agent):
    first = ingest_message(build_mail(), mailbox=mailbox)
    incident = resolve_incident(
        Incident.objects.get(pk=first.task_id),
        actor=staff_agent,
        resolution_code="remote",
        notes="Cleared the jam.",
    )
    record = ingest_message(_reply(first.message_id, 2), mailbox=mailbox)
    incident.refresh_from_db()
    assert record.outcome == Outcome.REOPENED and record.task_id == incident.pk
    assert incident.state == "in_progress" and incident.resolved_at is None


def test_after_the_window_a_reply_raises_a_new_incident_linked_to_the_old(
    mailbox, rita, staff_agent, settings
):
    first = ingest_message(build_mail(), mailbox=mailbox)
    old = resolve_incident(
        Incident.objects.get(pk=first.task_id), actor=staff_agent, resolution_code="remote", notes="Done."
    )
    with time_machine.travel(timezone.now() + timedelta(days=settings.INCIDENT_REOPEN_DAYS + 1)):
        record = ingest_message(_reply(first.message_id, 2), mailbox=mailbox)
    old.refresh_from_db()
    assert old.state == "resolved" and record.outcome == Outcome.FOLLOWED_UP
    new = Incident.objects.get(pk=record.task_id)
    assert new.pk != old.pk and new.requester == rita and old.number in new.description
    assert TaskLink.objects.filter(source=new, target=old, kind="related_to").exists()


def test_an_agent_reply_by_mail_is_a_public_reply_that_notifies_the_requester(mailbox, rita, staff_agent):
    first = ingest_message(build_mail(), mailbox=mailbox)
    record = ingest_message(_reply(first.message_id, 2, sender="andy@example.com"), mailbox=mailbox)
    assert record.outcome == Outcome.REPLIED and record.sender == staff_agent
    assert OutboxMessage.objects.filter(
        task_id=first.task_id, recipient=rita, subject__contains="New reply"
    ).exists()
