"""Which record a message answers, in the order that is least likely to be wrong.

1. `In-Reply-To`/`References` against every Message-ID the system sent (outbox rows) or
   received (inbound messages) for a record — what mail clients keep when people reply.
2. A signed per-record reply address among the recipients (`servicedesk+INC….<token>@…`).
3. A record number in the subject (`[INC0001234]`, `Re: INC0001234 …`).

Each step runs only when the one before found nothing; the caller still checks that the
sender may see the record before treating the message as a reply.
"""

import re

from itsm.core.models import Task
from itsm.mail.addresses import number_from_address
from itsm.mail.parsing import ParsedMail

_NUMBER = re.compile(r"\b([A-Z]{2,6}\d{7})\b")


def find_record(mail: ParsedMail) -> tuple[Task | None, str]:
    """The record the message belongs to and how it was found ('' when it is new)."""
    task = _by_message_ids(mail.thread_ids)
    if task is not None:
        return task, "headers"
    for address in mail.recipients:
        number = number_from_address(address)
        task = Task.objects.filter(number=number).first() if number else None
        if task is not None:
            return task, "reply_address"
    for number in _NUMBER.findall(mail.subject.upper()):
        task = Task.objects.filter(number=number).first()
        if task is not None:
            return task, "subject"
    return None, ""


def _by_message_ids(message_ids: list[str]) -> Task | None:
    """The record of the nearest known Message-ID (one query per table, whatever the length)."""
    from itsm.mail.models import InboundMessage
    from itsm.notifications.models import OutboxMessage

    if not message_ids:
        return None
    ids = message_ids[:50]
    known: dict[str, int] = {}
    for model in (OutboxMessage, InboundMessage):
        rows = model.objects.filter(message_id__in=ids, task__isnull=False)
        for message_id, task_id in rows.values_list("message_id", "task_id"):
            known.setdefault(message_id, task_id)
    task_id = next((known[message_id] for message_id in ids if message_id in known), None)
    return Task.objects.filter(pk=task_id).first() if task_id else None
