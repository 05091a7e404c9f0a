"""Polling an IMAP(S) mailbox: fetch, ingest through the one ingestion service, then move,
flag or delete each message so it is never read twice.

A message is only moved or flagged after `ingest_message` stored it (processed, ignored,
rejected or quarantined alike), so a crash in between leaves it in the folder and the
next poll picks it up again — and the duplicate Message-ID check makes that harmless.
An infrastructure error (the database) stops the poll with the message left unread.
"""

import contextlib
import imaplib
import logging
import os
import re
import ssl

from django.conf import settings
from django.utils import timezone

from itsm.mail.choices import ProcessedAction
from itsm.mail.models import Mailbox
from itsm.mail.services import ingest_message

logger = logging.getLogger(__name__)


class MailboxError(Exception):
    """The IMAP server refused or failed; recorded on the mailbox, retried on the next poll."""


def poll_mailbox(mailbox: Mailbox, *, limit: int | None = None) -> int:
    """Ingest up to `limit` waiting messages; returns how many were taken from the server."""
    limit = limit or settings.MAIL_POLL_BATCH
    taken = 0
    try:
        with _connect(mailbox) as client:
            for uid in _waiting(client, mailbox)[:limit]:
                raw = _fetch(client, uid)
                if raw is None:
                    continue
                ingest_message(raw, mailbox=mailbox)
                _done(client, mailbox, uid)
                taken += 1
            _expunge(client, mailbox)
    except (imaplib.IMAP4.error, OSError, MailboxError) as exc:
        _record(mailbox, f"{type(exc).__name__}: {exc}")
        raise MailboxError(str(exc)) from exc
    _record(mailbox, "")
    return taken


class _Session:
    def __init__(self, client: imaplib.IMAP4) -> None:
        self.client = client

    def __enter__(self) -> imaplib.IMAP4:
        return self.client

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            self.client.logout()


def _connect(mailbox: Mailbox) -> _Session:
    timeout = settings.MAIL_IMAP_TIMEOUT
    if mailbox.imap_ssl:
        client = imaplib.IMAP4_SSL(
            mailbox.imap_host, mailbox.imap_port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
    session = _Session(client)
    client.login(mailbox.imap_username, _password(mailbox))
    status, _ = client.select(_quote(mailbox.imap_folder))
    if status != "OK":
        session.__exit__()
        raise MailboxError(f"Folder {mailbox.imap_folder!r} cannot be opened.")
    return session


def _password(mailbox: Mailbox) -> str:
    if mailbox.password_env:
        value = os.environ.get(mailbox.password_env)
        if value is None:
            raise MailboxError(f"Environment variable {mailbox.password_env} is not set.")
        return value
    return mailbox.imap_password


def _waiting(client: imaplib.IMAP4, mailbox: Mailbox) -> list[bytes]:
    criteria = "UNSEEN" if mailbox.processed_action == ProcessedAction.FLAG else "UNDELETED"
    status, data = client.uid("SEARCH", None, criteria)
    if status != "OK":
        raise MailboxError(f"SEARCH failed: {data!r}")
    return (data[0] or b"").split()


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"FETCH {uid!r} failed: {data!r}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None  # vanished between SEARCH and FETCH (another client took it)


def _done(client: imaplib.IMAP4, mailbox: Mailbox, uid: bytes) -> None:
    action = mailbox.processed_action
    if action == ProcessedAction.MOVE and mailbox.processed_folder:
        target = _quote(mailbox.processed_folder)
        if "MOVE" in client.capabilities:
            _ok(client.uid("MOVE", uid, target), "MOVE")
            return
        _ok(client.uid("COPY", uid, target), "COPY")
        action = ProcessedAction.DELETE
    flag = r"(\Deleted \Seen)" if action == ProcessedAction.DELETE else r"(\Seen)"
    _ok(client.uid("STORE", uid, "+FLAGS", flag), "STORE")


def _expunge(client: imaplib.IMAP4, mailbox: Mailbox) -> None:
    if mailbox.processed_action != ProcessedAction.FLAG:
        client.expunge()


def _ok(response, command: str) -> None:
    status, data = response
    if status != "OK":
        raise MailboxError(f"{command} failed: {data!r}")


def _quote(folder: str) -> str:
    return folder if re.fullmatch(r"[A-Za-z0-9_./-]+", folder) else '"' + folder.replace('"', r"\"") + '"'


def _record(mailbox: Mailbox, error: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=timezone.now(), last_error=error[:2000])
