"""Request mailboxes: new mail raises a service request for the mailbox's catalog item, replies
thread onto it exactly as for incidents, and mailing-list mail follows the mailbox's policy."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from catalog.mail import RequestMailHandler
from catalog.models import CatalogItem, Category, FulfilmentStep, Request, RequestItem, Variable
from catalog.services import cancel_request, publish_item
from itsm.core.models import Attachment, TaskLink, TimelineEntry
from itsm.mail import registry
from itsm.mail.addresses import reply_address
from itsm.mail.choices import ListMail, MessageStatus, Outcome
from itsm.mail.models import Mailbox
from itsm.mail.services import ingest_message
from itsm.notifications.models import OutboxMessage
from tests.factories import TeamFactory
from tests.mail.conftest import build_mail

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def general_request(db, agent):
    team = TeamFactory(name="Service desk")
    team.members.add(agent)
    category = Category.objects.create(name="General", slug="general")
    item = CatalogItem.objects.create(
        category=category,
        slug="general-request",
        name="General request",
        short_description="Anything not in the catalog",
        delivery_time=timedelta(days=5),
        assignment_group=team,
    )
    FulfilmentStep.objects.create(item=item, order=10, title="Handle the request", assignment_group=team)
    publish_item(item, actor=None)
    return item


@pytest.fixture
def request_box(general_request):
    return Mailbox.objects.create(
        name="requests",
        address="requests@example.com",
        handler="request",
        handler_option=general_request.slug,
    )


def to_requests(**kwargs) -> bytes:
    return build_mail(to="requests@example.com", **kwargs)


def test_new_mail_raises_a_request_for_the_mailbox_item(request_box, rita, general_request):
    # when
    record = ingest_message(to_requests(subject="Access to the finance share", text="For month end."))

    # then: the mailbox was found from the recipient; a REQ with one RITM of the item, for rita
    assert record.mailbox == request_box
    assert record.status == MessageStatus.PROCESSED and record.outcome == Outcome.CREATED
    request = Request.objects.get(pk=record.task_id)
    assert request.number.startswith("REQ") and request.requester == rita
    assert request.title == "Access to the finance share" and request.description == "For month end."
    (line,) = RequestItem.objects.filter(parent_request=request)
    assert line.catalog_item == general_request and line.requester == rita


def test_the_acknowledgement_names_the_request_and_threads(request_box, rita):
    # when
    record = ingest_message(to_requests(subject="New monitor"))

    # then
    request = Request.objects.get(pk=record.task_id)
    ack = OutboxMessage.objects.filter(task=request, recipient=rita).earliest("pk")
    assert f"We received your request {request.number}" in ack.subject
    assert ack.headers["Reply-To"] == reply_address(request.number)
    assert ack.message_id


def test_attachments_are_stored_on_the_request(request_box, rita):
    # when
    record = ingest_message(
        to_requests(files=[("quote.pdf", "application/pdf", b"%PDF-1.4"), ("s.png", "image/png", PNG)])
    )

    # then
    names = set(Attachment.objects.filter(task_id=record.task_id).values_list("filename", flat=True))
    assert names == {"quote.pdf", "s.png"}


def test_replies_join_the_request_by_headers_address_and_subject(request_box, rita):
    # given
    first = ingest_message(to_requests(subject="New monitor", text="A 27-inch one."))
    request = Request.objects.get(pk=first.task_id)
    ack = OutboxMessage.objects.filter(task=request, recipient=rita).latest("pk")

    # when: a reply to the acknowledgement, one to the reply address, one with the number only
    by_headers = ingest_message(
        to_requests(
            text="Any colour.\n\nOn Mon, Desk wrote:\n> We received",
            in_reply_to=ack.message_id,
            references=[ack.message_id],
        )
    )
    by_address = ingest_message(build_mail(to=reply_address(request.number), subject="x", text="Second."))
    by_subject = ingest_message(to_requests(subject=f"Re: [{request.number}] New monitor", text="Third."))

    # then: one request, the replies on its timeline, quotes cut
    records = [by_headers, by_address, by_subject]
    assert {r.task_id for r in records} == {request.pk} and Request.objects.count() == 1
    assert [r.matched_by for r in records] == ["headers", "reply_address", "subject"]
    assert {r.outcome for r in records} == {Outcome.REPLIED}
    bodies = TimelineEntry.objects.filter(task=request, action="task.comment_added").values_list(
        "body", flat=True
    )
    assert list(bodies) == ["Any colour.", "Second.", "Third."]


def test_a_reply_about_a_requested_item_lands_on_its_request(request_box, rita):
    # given
    request = Request.objects.get(pk=ingest_message(to_requests()).task_id)
    line = RequestItem.objects.get(parent_request=request)

    # when: the requester answers a mail about the item (its number in the subject)
    record = ingest_message(to_requests(subject=f"Re: [{line.number}] update", text="Thanks."))

    # then
    assert record.task_id == request.pk and record.outcome == Outcome.REPLIED


def test_a_reply_to_a_finished_request_raises_a_linked_follow_up(request_box, rita):
    # given
    first = ingest_message(to_requests(subject="New monitor"))
    old = cancel_request(Request.objects.get(pk=first.task_id), actor=rita, reason="Changed my mind.")

    # when
    record = ingest_message(to_requests(subject=f"Re: [{old.number}] New monitor", text="Actually yes."))

    # then
    assert record.outcome == Outcome.FOLLOWED_UP and record.task_id != old.pk
    new = Request.objects.get(pk=record.task_id)
    assert old.number in new.description and "Actually yes." in new.description
    assert TaskLink.objects.filter(source=new, target=old, kind="related_to").exists()


def test_an_incident_mailbox_threads_request_replies_onto_the_request(mailbox, request_box, rita):
    # given: a request raised through the request mailbox
    request = Request.objects.get(pk=ingest_message(to_requests()).task_id)

    # when: the reply arrives at the incident mailbox (the number in the subject)
    record = ingest_message(build_mail(subject=f"Re: {request.number}", text="More detail."), mailbox=mailbox)

    # then: replies follow the record, not the mailbox
    assert record.task_id == request.pk and record.outcome == Outcome.REPLIED


def test_unknown_senders_are_refused_unless_the_mailbox_creates_accounts(request_box):
    # when: an unknown sender, the mailbox creating no accounts
    refused = ingest_message(to_requests(sender="Nina New <nina@example.org>"))

    # then: a polite refusal, no request
    assert refused.status == MessageStatus.REJECTED and not Request.objects.exists()
    assert OutboxMessage.objects.filter(to_address="nina@example.org").exists()

    # when: the mailbox creates accounts for the domain
    request_box.create_senders, request_box.allowed_domains = True, "example.org"
    request_box.save()
    accepted = ingest_message(to_requests(sender="Nina New <nina@example.org>", message_id="<second@x>"))

    # then
    nina = User.objects.get(email="nina@example.org")
    assert accepted.outcome == Outcome.CREATED and Request.objects.get().requester == nina


def test_a_retired_item_quarantines_the_mail_with_the_reason(request_box, rita, general_request):
    # given
    general_request.is_active = False
    general_request.save()

    # when
    record = ingest_message(to_requests())

    # then: kept, with what to fix, and nothing half-created
    assert record.status == MessageStatus.QUARANTINED
    assert "general-request" in record.reason and "choose another item" in record.reason
    assert not Request.objects.exists()


def test_only_items_without_required_questions_are_offered(general_request, category_with_laptop):
    # when
    types = dict(registry.record_types())

    # then
    assert types["request:general-request"] == "Requests: General request"
    assert "request:laptop" not in types
    assert types["incident"] == "Incidents"
    assert RequestMailHandler().options() == [("general-request", "General request")]


@pytest.fixture
def category_with_laptop(general_request):
    laptop = CatalogItem.objects.create(
        category=general_request.category,
        slug="laptop",
        name="Laptop",
        short_description="A laptop",
        delivery_time=timedelta(days=3),
    )
    Variable.objects.create(item=laptop, name="model", label="Model", required=True)
    return laptop


LIST_HEADERS = {"List-Id": "Team <team.lists.example.org>", "Precedence": "list"}


def test_mailing_list_mail_is_ignored_by_default(request_box, rita):
    # when
    record = ingest_message(to_requests(headers=LIST_HEADERS))
    bare = ingest_message(to_requests(headers={"List-Id": "<team.lists.example.org>"}))

    # then
    assert record.status == MessageStatus.IGNORED and record.reason
    assert bare.status == MessageStatus.IGNORED and "List-Id" in bare.reason
    assert not Request.objects.exists()


def test_a_mailbox_may_accept_mailing_list_mail(request_box, rita):
    # given
    request_box.list_mail = ListMail.ACCEPT
    request_box.save()

    # when
    record = ingest_message(to_requests(headers=LIST_HEADERS))
    bounce = ingest_message(to_requests(headers={**LIST_HEADERS, "Auto-Submitted": "auto-replied"}))

    # then: the list's mail is a request; its auto-replies are still ignored
    assert record.status == MessageStatus.PROCESSED and record.outcome == Outcome.CREATED
    assert bounce.status == MessageStatus.IGNORED


def test_the_admin_chooses_the_record_type_and_item(admin_client, general_request):
    # when
    data = {
        "name": "requests",
        "address": "requests@example.com",
        "record_type": "request:general-request",
        "is_active": "on",
        "list_mail": "accept",
        "imap_port": "993",
        "imap_folder": "INBOX",
        "processed_action": "move",
        "processed_folder": "Processed",
    }
    page = admin_client.get("/admin/mail/mailbox/add/")
    response = admin_client.post("/admin/mail/mailbox/add/", data)

    # then
    assert b"Requests: General request" in page.content and b"New mail becomes" in page.content
    assert response.status_code == 302
    box = Mailbox.objects.get(name="requests")
    assert (box.handler, box.handler_option, box.list_mail) == ("request", "general-request", "accept")
    again = admin_client.get(f"/admin/mail/mailbox/{box.pk}/change/").content.decode()
    assert '<option value="request:general-request" selected>' in again


def test_the_admin_refuses_an_item_that_is_not_offered(admin_client, general_request, category_with_laptop):
    # when
    data = {
        "name": "requests",
        "address": "requests@example.com",
        "record_type": "request:laptop",
        "list_mail": "ignore",
        "imap_port": "993",
        "imap_folder": "INBOX",
        "processed_action": "move",
    }
    response = admin_client.post("/admin/mail/mailbox/add/", data)

    # then
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert not Mailbox.objects.exists()


def test_an_imap_request_mailbox_raises_requests_and_threads_replies(request_box, rita):
    # given: the request mailbox polled over IMAP (a protocol-level server on loopback)
    from itsm.mail import imap
    from tests.mail.imapserver import FakeIMAPServer

    server = FakeIMAPServer().start()
    try:
        request_box.imap_host, request_box.imap_port, request_box.imap_ssl = "127.0.0.1", server.port, False
        request_box.imap_username, request_box.imap_password = "desk", "s3cret pass"
        request_box.save()
        server.store.deliver(to_requests(subject="Parking permit", message_id="<first@client>"))
        # when
        assert imap.poll_mailbox(request_box) == 1
        request = Request.objects.get()
        server.store.deliver(
            to_requests(subject="Re: Parking permit", text="Bay 12.", in_reply_to="<first@client>")
        )
        assert imap.poll_mailbox(request_box) == 1
    finally:
        server.stop()

    # then
    assert request.title == "Parking permit" and Request.objects.count() == 1
    assert TimelineEntry.objects.filter(task=request, action="task.comment_added", body="Bay 12.").exists()
