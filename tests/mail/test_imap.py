"""The IMAP poller against a protocol-level IMAP4rev1 server on loopback (tests/mail/imapserver.py)."""

import pytest
from django.db import connection

from incidents.models import Incident
from itsm.mail import imap
from itsm.mail.choices import MessageStatus, ProcessedAction
from itsm.mail.models import InboundMessage, Mailbox
from itsm.mail.services import ingest_message
from itsm.mail.tasks import poll_mailboxes
from tests.mail.conftest import build_mail, sample
from tests.mail.imapserver import FakeIMAPServer


@pytest.fixture
def server():
    running = FakeIMAPServer().start()
    yield running
    running.stop()


@pytest.fixture
def imap_box(db, server):
    return Mailbox.objects.create(
        name="imap-desk",
        address="servicedesk@example.com",
        imap_host="127.0.0.1",
        imap_port=server.port,
        imap_ssl=False,
        imap_username="desk",
        imap_password="s3cret pass",
        imap_folder="INBOX",
        processed_folder="Processed",
    )


def test_poll_ingests_everything_and_moves_it_out_of_the_inbox(imap_box, server, rita):
    # given: a person's mail, an out-of-office, and something that is not mail at all
    server.store.deliver(build_mail(subject="VPN drops every hour"))
    server.store.deliver(sample("sisimai-autoreply-rfc3834-01.eml"))
    server.store.deliver(sample("rt-lorem-ipsum.eml"))
    # when
    taken = imap.poll_mailbox(imap_box)
    # then
    assert taken == 3
    assert server.store.folders["INBOX"] == [] and len(server.store.folders["Processed"]) == 3
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == [MessageStatus.IGNORED, MessageStatus.PROCESSED, MessageStatus.QUARANTINED]
    assert Incident.objects.get().title == "VPN drops every hour"
    imap_box.refresh_from_db()
    assert imap_box.last_polled_at and imap_box.last_error == ""
    assert any(" UID MOVE " in command for command in server.store.commands)
    assert not any("BODY[]" in c and "PEEK" not in c for c in server.store.commands)  # never marks early


def test_flag_mode_leaves_mail_in_place_and_does_not_read_it_twice(imap_box, server, rita):
    imap_box.processed_action = ProcessedAction.FLAG
    imap_box.save()
    server.store.deliver(build_mail())
    assert imap.poll_mailbox(imap_box) == 1
    assert imap.poll_mailbox(imap_box) == 0
    (message,) = server.store.folders["INBOX"]
    assert "\\Seen" in message.flags and Incident.objects.count() == 1


def test_without_move_support_it_copies_deletes_and_expunges(imap_box, server, rita):
    server.store.supports_move = False
    server.store.deliver(build_mail())
    assert imap.poll_mailbox(imap_box) == 1
    assert server.store.folders["INBOX"] == [] and len(server.store.folders["Processed"]) == 1
    commands = server.store.commands
    assert any(" UID COPY " in c for c in commands) and any("EXPUNGE" in c for c in commands)


def test_a_message_that_arrived_by_the_pipe_too_is_a_duplicate_and_still_cleared(imap_box, server, rita):
    raw = build_mail(message_id="<both-ways@client.example.org>")
    ingest_message(raw, mailbox=imap_box)
    server.store.deliver(raw)
    assert imap.poll_mailbox(imap_box) == 1
    assert server.store.folders["INBOX"] == [] and Incident.objects.count() == 1


def test_a_parser_failure_is_quarantined_and_the_poll_goes_on(imap_box, server, rita, monkeypatch):
    from itsm.mail import services

    original = services.parse

    def fragile(raw):
        if b"poison" in raw:
            raise RecursionError("maximum recursion depth exceeded")
        return original(raw)

    monkeypatch.setattr(services, "parse", fragile)
    server.store.deliver(build_mail(subject="poison"))
    server.store.deliver(build_mail(subject="fine"))
    assert imap.poll_mailbox(imap_box) == 2
    assert InboundMessage.objects.get(status=MessageStatus.QUARANTINED).reason.startswith("Parser error")
    assert Incident.objects.get().title == "fine"


def test_wrong_credentials_are_recorded_on_the_mailbox_and_the_beat_task_survives(imap_box, server):
    imap_box.imap_password = "wrong"
    imap_box.save()
    server.store.deliver(build_mail())
    with pytest.raises(imap.MailboxError):
        imap.poll_mailbox(imap_box)
    poll_mailboxes()  # the task logs and goes on
    imap_box.refresh_from_db()
    assert "Invalid credentials" in imap_box.last_error
    assert len(server.store.folders["INBOX"]) == 1


def test_a_missing_folder_is_an_error_not_a_crash(imap_box, server):
    imap_box.imap_folder = "Does Not Exist"
    imap_box.save()
    with pytest.raises(imap.MailboxError, match="cannot be opened"):
        imap.poll_mailbox(imap_box)


def test_the_password_is_stored_encrypted_or_comes_from_the_environment(imap_box, server, rita, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("SELECT imap_password FROM mail_mailbox WHERE id = %s", [imap_box.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:") and "s3cret" not in stored
    assert Mailbox.objects.get(pk=imap_box.pk).imap_password == "s3cret pass"
    # the environment wins over the stored value
    imap_box.imap_password, imap_box.password_env = "stale", "DESK_IMAP_PASSWORD"
    imap_box.save()
    monkeypatch.setenv("DESK_IMAP_PASSWORD", "s3cret pass")
    server.store.deliver(build_mail())
    assert imap.poll_mailbox(imap_box) == 1


def test_a_changed_secret_key_makes_the_stored_password_unreadable_not_a_crash(imap_box, settings):
    settings.SECRET_KEY = "another-key-entirely"
    assert Mailbox.objects.get(pk=imap_box.pk).imap_password == ""
