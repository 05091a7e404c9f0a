"""Headers that make notification e-mail thread, route replies back, and not trigger loops.

Queue time (no queries, the services' statement budgets stay): the record number in the
subject, the per-record Reply-To. Delivery time (in the worker): In-Reply-To/References to
the first message of the record's thread, so the requester's client shows one conversation.
"""

import re

from django.conf import settings

from itsm.mail.addresses import reply_address

#: Sent on every automatic mail (RFC 3834), plus Exchange's "do not auto-reply to this".
AUTOMATIC_HEADERS = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


def subject_with_number(subject: str, number: str) -> str:
    """`[INC0001234] …` unless the number is already in the subject."""
    if not number or re.search(rf"\b{re.escape(number)}\b", subject):
        return subject
    return f"[{number}] {subject}"


def queue_headers(number: str) -> dict[str, str]:
    """Headers stored on the outbox row of a mail about a record."""
    return {"Reply-To": reply_address(number), "X-ITSM-Record": number}


def delivery_headers(message) -> dict[str, str]:
    """Loop markers and thread headers for an outbox row (row headers win over these)."""
    headers = {**AUTOMATIC_HEADERS, "X-Loop": settings.EMAIL_MESSAGE_ID_DOMAIN}
    root = thread_root(message) if message.task_id else None
    if root:
        headers["In-Reply-To"] = root
        headers["References"] = root
    return headers


def thread_root(message) -> str | None:
    """The first Message-ID of the record's conversation: the mail that raised it, else the
    first notification sent about it."""
    from itsm.mail.models import InboundMessage

    first_in = (
        InboundMessage.objects.filter(task_id=message.task_id)
        .order_by("received_at", "pk")
        .values_list("message_id", flat=True)
        .first()
    )
    if first_in:
        return first_in
    first_out = (
        type(message)
        .objects.filter(task_id=message.task_id, pk__lt=message.pk)
        .order_by("pk")
        .values_list("message_id", flat=True)
        .first()
    )
    return first_out
