"""Read one raw message from standard input and ingest it (for an MTA pipe or .forward).

    | /srv/itsm/manage.py ingest_email --mailbox servicedesk

Exit status: 0 whenever the message was stored (processed, ignored, rejected, quarantined,
duplicate) — the MTA must not bounce it; 75 (EX_TEMPFAIL) when the database was
unavailable, so the MTA keeps the message and tries again.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from itsm.mail.models import Mailbox
from itsm.mail.services import ingest_message

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Ingest one e-mail message read from standard input."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mailbox", help="Name of the mailbox the message was sent to.")

    def handle(self, *args, mailbox=None, **options) -> None:
        box = None
        if mailbox:
            box = Mailbox.objects.filter(name=mailbox).first()
            if box is None:
                raise CommandError(f"No mailbox named {mailbox!r}.")
        raw = sys.stdin.buffer.read()
        try:
            record = ingest_message(raw, mailbox=box)
        except DatabaseError as exc:
            self.stderr.write(f"Temporary failure, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        summary = f"{record.status}: {record.message_id}"
        if record.task_id:
            summary += f" -> {record.task.number} ({record.outcome})"
        if record.reason:
            summary += f" ({record.reason})"
        self.stdout.write(summary)
