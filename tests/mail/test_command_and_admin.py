"""The MTA pipe (`manage.py ingest_email`) and the admin: mailboxes, messages, the quarantine."""

import io
import sys

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from incidents.models import Incident
from itsm.mail.choices import MessageStatus
from itsm.mail.models import InboundMessage, Mailbox
from itsm.mail.services import ingest_message
from tests.factories import UserFactory
from tests.mail.conftest import build_mail, sample


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def run_command(monkeypatch, raw: bytes, *args) -> str:
    monkeypatch.setattr(sys, "stdin", _Stdin(raw))
    out = io.StringIO()
    call_command("ingest_email", *args, stdout=out)
    return out.getvalue()


def test_the_pipe_ingests_one_message_from_stdin(monkeypatch, mailbox, rita):
    output = run_command(monkeypatch, build_mail(subject="Laptop will not boot"), "--mailbox", "servicedesk")
    incident = Incident.objects.get()
    assert output.startswith("processed:") and incident.number in output and "created" in output
    assert InboundMessage.objects.get().mailbox == mailbox


def test_the_pipe_stores_broken_mail_and_exits_normally(monkeypatch, mailbox):
    output = run_command(monkeypatch, sample("rt-lorem-ipsum.eml"))
    assert output.startswith("quarantined:")


def test_an_unknown_mailbox_name_is_a_clear_error(monkeypatch, db):
    with pytest.raises(CommandError, match="No mailbox named"):
        run_command(monkeypatch, build_mail(), "--mailbox", "nope")


def test_a_database_outage_asks_the_mta_to_retry(monkeypatch, db):
    from itsm.mail.management.commands import ingest_email

    def down(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(ingest_email, "ingest_message", down)
    with pytest.raises(SystemExit) as exit_info:
        run_command(monkeypatch, build_mail())
    assert exit_info.value.code == 75


# --- admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="ada.admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_the_quarantine_lists_reasons_and_shows_the_raw_message(admin_client, mailbox, rita):
    broken = ingest_message(b"Subject: <script>x</script>\r\n\r\nno sender\r\n", mailbox=mailbox)
    ingest_message(build_mail(), mailbox=mailbox)  # processed: not in the quarantine
    page = admin_client.get("/admin/mail/quarantinedmessage/")
    assert page.status_code == 200
    assert b"No usable sender address." in page.content
    assert page.content.count(b'class="field-reason"') == 1
    detail = admin_client.get(f"/admin/mail/quarantinedmessage/{broken.pk}/change/")
    assert detail.status_code == 200 and b"&lt;script&gt;x&lt;/script&gt;" in detail.content
    assert b"<script>x</script>" not in detail.content
    raw = admin_client.get(f"/admin/mail/quarantinedmessage/{broken.pk}/raw/")
    assert raw.status_code == 200 and raw["Content-Disposition"].startswith("attachment")
    assert b"".join(raw) == broken.read_raw()


def test_process_again_after_fixing_the_cause(admin_client, mailbox, db):
    # given: mail from an unknown sender was refused
    refused = ingest_message(build_mail(sender="new.hire@example.org"), mailbox=mailbox)
    assert refused.status == MessageStatus.REJECTED
    old_file, original = refused.raw.name, refused.read_raw()
    UserFactory(username="new.hire", email="new.hire@example.org")
    # when
    data = {"action": "process_again", "_selected_action": [refused.pk]}
    response = admin_client.post("/admin/mail/inboundmessage/", data, follow=True)
    # then
    assert response.status_code == 200 and b"1 processed" in response.content
    again = InboundMessage.objects.get()
    assert again.status == MessageStatus.PROCESSED and Incident.objects.count() == 1
    assert again.read_raw() == original and not default_storage.exists(old_file)


def test_mailbox_admin_keeps_the_password_when_left_empty(admin_client, db):
    box = Mailbox.objects.create(name="desk", address="desk@example.com", imap_password="kept-secret")
    form = admin_client.get(f"/admin/mail/mailbox/{box.pk}/change/")
    assert form.status_code == 200 and b"kept-secret" not in form.content
    data = {
        "name": "desk",
        "address": "desk@example.com",
        "record_type": "incident",
        "is_active": "on",
        "list_mail": "ignore",
        "imap_host": "imap.example.com",
        "imap_port": "993",
        "imap_ssl": "on",
        "imap_username": "desk",
        "imap_password": "",
        "password_env": "",
        "imap_folder": "INBOX",
        "processed_action": "move",
        "processed_folder": "Processed",
        "allowed_domains": "",
    }
    response = admin_client.post(f"/admin/mail/mailbox/{box.pk}/change/", data)
    assert response.status_code == 302
    box.refresh_from_db()
    assert box.imap_password == "kept-secret" and box.imap_host == "imap.example.com"


def test_requesters_and_agents_cannot_open_the_mail_admin(client, requester, agent):
    for user in (requester, agent):
        client.force_login(user)
        assert client.get("/admin/mail/quarantinedmessage/").status_code == 302
