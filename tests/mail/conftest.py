"""Fixtures of the e-mail channel: the real-world samples, a mailbox, and messages built to measure."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from django.utils import timezone

from itsm.mail.models import Mailbox

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def all_samples() -> list[str]:
    return sorted(path.name for path in SAMPLES.glob("*.eml"))


def build_mail(
    *,
    sender: str = "Rita Requester <rita@example.org>",
    to: str = "servicedesk@example.com",
    subject: str = "Printer on floor 3 jams",
    text: str | None = "The printer jams on every page.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    headers: dict[str, str] | None = None,
    files: list[tuple[str, str, bytes]] = (),
) -> bytes:
    """A message shaped like one a mail client sends (multipart when it has HTML or files)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = message_id or make_msgid(domain="client.example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, ctype, data in files:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@pytest.fixture
def mailbox(db):
    return Mailbox.objects.create(name="servicedesk", address="servicedesk@example.com", handler="incident")


@pytest.fixture
def rita(requester):
    requester.email = "rita@example.org"
    requester.first_name, requester.last_name = "Rita", "Requester"
    requester.save()
    return requester


@pytest.fixture
def staff_agent(agent):
    agent.email = "andy@example.com"
    agent.save()
    return agent
