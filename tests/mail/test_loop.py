"""Mail loops: the desk's acknowledgements against other auto-responders must stop on their own."""

import email

import pytest
from django.core import mail as django_mail

from incidents.models import Incident
from itsm.mail.services import ingest_message
from itsm.notifications import delivery
from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import OutboxMessage
from tests.factories import UserFactory
from tests.mail.conftest import build_mail


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []


def deliver_pending() -> list:
    """What a worker does after commit: send every pending row; returns the sent messages."""
    before = len(django_mail.outbox)
    for pk in OutboxMessage.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True):
        delivery.deliver(pk)
    return [email.message_from_bytes(m.message().as_bytes()) for m in django_mail.outbox[before:]]


def run_loop(mailbox, responder, rounds: int = 60) -> int:
    """Feed every mail the desk sends to the responder back into the desk; returns rounds run."""
    ingest_message(
        build_mail(sender=responder.__name__ + "@vendor.example", subject="Order 1"), mailbox=mailbox
    )
    for number in range(rounds):
        sent = [m for m in deliver_pending() if "vendor.example" in m["To"]]
        if not sent:
            return number
        answers = [answer for answer in map(responder, sent) if answer]
        if not answers:
            return number
        for answer in answers:
            ingest_message(answer, mailbox=mailbox)
    return rounds


def polite(message) -> bytes:
    """An RFC 3834 responder: marks its answer, and does not answer automatic mail."""
    if message["Auto-Submitted"] not in (None, "no"):
        return b""
    return build_mail(sender="polite@vendor.example", subject=f"Re: {message['Subject']}")


def rude(message) -> bytes:
    """A responder that sets no header, drops threading, and answers everything with a new subject."""
    rude.count = getattr(rude, "count", 0) + 1
    return build_mail(sender="rude@vendor.example", subject=f"We received your message, case {rude.count}")


def test_a_responder_that_respects_auto_submitted_never_answers_the_desk(mailbox, locmem, db):
    UserFactory(username="polite", email="polite@vendor.example")
    rounds = run_loop(mailbox, polite)
    assert rounds <= 1 and Incident.objects.count() == 1


def test_a_header_less_responder_is_stopped_by_the_rate_limit(mailbox, locmem, settings, db):
    # given: the worst peer: no Auto-Submitted, no In-Reply-To, a fresh subject every time
    settings.MAIL_RATE_LIMIT = 5
    UserFactory(username="rude", email="rude@vendor.example")
    # when
    rounds = run_loop(mailbox, rude)
    # then: the loop ends by itself, with at most the rate limit of incidents
    assert rounds < 60
    assert Incident.objects.count() <= settings.MAIL_RATE_LIMIT


def test_a_responder_that_keeps_threading_ends_in_the_same_incident(mailbox, locmem, db):
    UserFactory(username="threader", email="threader@vendor.example")

    def threader(message) -> bytes:
        return build_mail(
            sender="threader@vendor.example",
            subject=f"Re: {message['Subject']}",
            in_reply_to=message["Message-ID"],
        )

    threader.__name__ = "threader"
    rounds = run_loop(mailbox, threader)
    assert rounds <= 2 and Incident.objects.count() == 1


def test_the_desk_marks_its_own_mail_so_it_never_answers_itself(mailbox, locmem, db, settings):
    UserFactory(username="someone", email="someone@example.org")
    ingest_message(build_mail(sender="someone@example.org"), mailbox=mailbox)
    sent = deliver_pending()
    assert sent and all(m["Auto-Submitted"] == "auto-generated" for m in sent)
    echoed = sent[0].as_bytes()  # the desk's own mail arriving back (a forwarding loop)
    assert ingest_message(echoed, mailbox=mailbox).status == "ignored"


polite.__name__ = "polite"
rude.__name__ = "rude"
