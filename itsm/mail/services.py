"""Ingesting one inbound message: the single write path for the IMAP poller and the MTA pipe.

`ingest_message` never raises for a bad message: whatever happens, the raw bytes are kept
and the outcome is one `InboundMessage` row — processed, ignored (automatic mail),
rate-limited, rejected (unknown sender, answered politely) or quarantined with the reason.
Only infrastructure failures (the database is down) propagate, so the caller retries later.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from itsm.core.models import Task
from itsm.core.services.activity import add_attachment
from itsm.mail import registry, safety, senders
from itsm.mail.choices import MessageStatus
from itsm.mail.models import InboundMessage, Mailbox
from itsm.mail.parsing import ParsedMail, UnreadableMessage, parse
from itsm.mail.quotes import strip_reply
from itsm.mail.threads import find_record

logger = logging.getLogger(__name__)


class NotProcessable(Exception):
    """A message the channel understood but cannot turn into a record (reason for quarantine)."""


def ingest_message(raw: bytes, *, mailbox: Mailbox | None = None) -> InboundMessage:
    """Store and process one raw message; returns its record (unsaved when a duplicate)."""
    record = InboundMessage(mailbox=mailbox, size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
    record.message_id = f"<{record.sha256}@unreadable>"
    if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
        limit = settings.MAIL_MAX_MESSAGE_BYTES
        return _store(record, raw, MessageStatus.QUARANTINED, f"Larger than the {limit:,}-byte limit.")
    try:
        parsed = parse(raw)
    except UnreadableMessage as exc:
        return _store(record, raw, MessageStatus.QUARANTINED, str(exc))
    except Exception as exc:  # a parser bug must not stop the poller
        logger.exception("parsing inbound mail failed")
        return _store(record, raw, MessageStatus.QUARANTINED, f"Parser error: {type(exc).__name__}: {exc}")
    _describe(record, parsed)
    if InboundMessage.objects.filter(message_id=record.message_id).exists():
        record.status = MessageStatus.DUPLICATE
        return record
    return _process(record, raw, parsed)


def reprocess(record: InboundMessage) -> InboundMessage:
    """Run a stored (e.g. quarantined) message through ingestion again, replacing its row."""
    raw = record.read_raw()
    mailbox = record.mailbox
    with transaction.atomic():
        InboundMessage.objects.filter(pk=record.pk).delete()
    record.raw.delete(save=False)  # ingestion stores the bytes again with the new row
    return ingest_message(raw, mailbox=mailbox)


def _process(record: InboundMessage, raw: bytes, parsed: ParsedMail) -> InboundMessage:
    mailbox = record.mailbox or _mailbox_for(parsed)
    record.mailbox = mailbox
    reason = safety.automatic_reason(parsed, accept_lists=mailbox is not None and mailbox.accepts_list_mail)
    if reason:
        return _store(record, raw, MessageStatus.IGNORED, reason)
    if not parsed.from_address:
        return _store(record, raw, MessageStatus.QUARANTINED, "No usable sender address.")
    if _over_rate_limit(parsed.from_address):
        limit, window = settings.MAIL_RATE_LIMIT, settings.MAIL_RATE_WINDOW
        return _store(record, raw, MessageStatus.RATE_LIMITED, f"More than {limit} messages in {window} s.")
    _save_raw(record, raw)
    try:
        with transaction.atomic():
            return _handle(record, parsed, mailbox)
    except IntegrityError:
        if InboundMessage.objects.filter(message_id=record.message_id).exists():
            record.raw.delete(save=False)
            record.status = MessageStatus.DUPLICATE
            return record
        raise
    except DatabaseError:
        raise
    except Exception as exc:  # service refusals and bugs alike: keep the message, say why
        logger.warning("inbound message %s quarantined: %s", record.message_id, exc)
        record.pk, record.task, record.sender, record.outcome, record.matched_by = None, None, None, "", ""
        return _store(record, raw, MessageStatus.QUARANTINED, _reason(exc))


def _handle(record: InboundMessage, parsed: ParsedMail, mailbox: Mailbox | None) -> InboundMessage:
    sender = senders.find_sender(parsed.from_address)
    address = parsed.from_address
    may_create = mailbox is not None and mailbox.create_senders and mailbox.domain_allowed(address)
    if sender is None and may_create:
        sender = senders.create_sender(parsed.from_address, parsed.from_name)
    if sender is None:
        _refuse(parsed, mailbox)
        return _save_row(record, MessageStatus.REJECTED, "Unknown sender; answered with a refusal.")
    handled, matched_by = _route(parsed, sender, mailbox)
    _attach(handled.task, parsed, sender)
    record.sender, record.task, record.outcome = sender, handled.task, handled.outcome
    record.matched_by = matched_by
    return _save_row(record, MessageStatus.PROCESSED, "")


def _route(parsed: ParsedMail, sender, mailbox: Mailbox | None) -> tuple[registry.Handled, str]:
    """A reply when the message answers a record the sender may see; otherwise a new record."""
    task, matched_by = find_record(parsed)
    if task is not None and Task.objects.visible_to(sender).filter(pk=task.pk).exists():
        handler = registry.for_kind(task.kind)
        if handler is not None:
            mail = registry.InboundMail(parsed=parsed, reply_text=strip_reply(parsed.text), mailbox=mailbox)
            return handler.reply(task, mail, sender=sender), matched_by
    if task is not None:
        parsed.notes.append(f"Looked like a reply to {task.number}, which the sender cannot see: new record.")
    name = mailbox.handler if mailbox is not None else settings.MAIL_DEFAULT_HANDLER
    handler = registry.by_name(name)
    if handler is None:
        raise NotProcessable(f"No mail handler named {name!r} is installed.")
    mail = registry.InboundMail(parsed=parsed, reply_text=parsed.text, mailbox=mailbox)
    return handler.create(mail, sender=sender), ""


def _attach(task: Task, parsed: ParsedMail, sender) -> None:
    """Files and inline images as attachments, through the core service (its size and type rules)."""
    for mail_file in parsed.files:
        upload = SimpleUploadedFile(mail_file.filename, mail_file.data, content_type=mail_file.content_type)
        try:
            add_attachment(task, upload, actor=sender, is_public=True)
        except ValidationError as exc:
            parsed.notes.append(f"File {mail_file.filename!r} not stored: {'; '.join(exc.messages)}")


def _refuse(parsed: ParsedMail, mailbox: Mailbox | None) -> None:
    """A polite answer to an unknown sender (never to automatic mail: that was filtered before)."""
    from itsm.notifications.services import queue_email

    context = {"mail": parsed, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    queue_email(
        to=parsed.from_address,
        subject=f"Re: {parsed.subject}" if parsed.subject else f"Your message to {settings.SITE_NAME}",
        text=render_to_string("mail/email/refusal.txt", context),
        html=render_to_string("mail/email/refusal.html", context),
        dedupe_key=f"mail-refusal:{parsed.message_id}"[:200],
        headers={
            "In-Reply-To": parsed.message_id,
            "References": parsed.message_id,
            "Auto-Submitted": "auto-replied",
        },
    )


def _over_rate_limit(address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.MAIL_RATE_WINDOW)
    recent = InboundMessage.objects.filter(from_address=address, received_at__gte=since)
    return recent.count() >= settings.MAIL_RATE_LIMIT


def _mailbox_for(parsed: ParsedMail) -> Mailbox | None:
    """The active mailbox the message was addressed to (plus tags ignored), else the first one."""
    active = list(Mailbox.objects.filter(is_active=True))
    plain = {_without_tag(address) for address in parsed.recipients}
    return next((box for box in active if box.address.lower() in plain), active[0] if active else None)


def _without_tag(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _describe(record: InboundMessage, parsed: ParsedMail) -> None:
    record.message_id = parsed.message_id
    record.in_reply_to = (parsed.in_reply_to or [""])[0]
    record.from_address, record.from_name = parsed.from_address, parsed.from_name
    record.subject, record.sent_at = parsed.subject, parsed.sent_at
    record.detail = "\n".join(parsed.notes)
    record._parsed = parsed


def _save_raw(record: InboundMessage, raw: bytes) -> None:
    if not record.raw:
        record.raw.save("message.eml", ContentFile(raw), save=False)


def _save_row(record: InboundMessage, status: str, reason: str) -> InboundMessage:
    record.status, record.reason = status, reason[:300]
    parsed = getattr(record, "_parsed", None)
    if parsed is not None:
        record.detail = "\n".join(parsed.notes)
    record.save()
    return record


def _store(record: InboundMessage, raw: bytes, status: str, reason: str) -> InboundMessage:
    """Keep a message that was not processed (its raw bytes included); a duplicate stays unsaved."""
    _save_raw(record, raw)
    try:
        with transaction.atomic():
            return _save_row(record, status, reason)
    except IntegrityError:
        record.raw.delete(save=False)
        record.status = MessageStatus.DUPLICATE
        return record


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "Refused by the service: " + "; ".join(exc.messages)
    return f"Could not be processed: {type(exc).__name__}: {exc}"
