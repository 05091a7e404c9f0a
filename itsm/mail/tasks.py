"""Celery tasks of the e-mail channel: poll the IMAP mailboxes; send digests."""

import logging

from celery import shared_task

from itsm.mail.models import Mailbox

logger = logging.getLogger(__name__)


@shared_task(name="mail.poll_mailboxes", ignore_result=True)
def poll_mailboxes() -> None:
    """Beat: one task per active IMAP mailbox, so a slow or failing server holds up no other."""
    ids = Mailbox.objects.filter(is_active=True).exclude(imap_host="").values_list("pk", flat=True)
    for mailbox_id in ids:
        poll_mailbox.delay(mailbox_id)


@shared_task(name="mail.poll_mailbox", ignore_result=True)
def poll_mailbox(mailbox_id: int) -> int:
    """Ingest a batch of waiting messages; the error is kept on the mailbox and retried next beat."""
    from itsm.mail.imap import MailboxError
    from itsm.mail.imap import poll_mailbox as poll

    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return 0
    try:
        return poll(mailbox)
    except MailboxError as exc:
        logger.warning("polling mailbox %s failed: %s", mailbox.name, exc)
        return 0


@shared_task(name="mail.send_digests", ignore_result=True)
def send_digests() -> int:
    """Beat: one e-mail per person in digest mode with the notifications held since the last one."""
    from itsm.mail.digest import send_due_digests

    return send_due_digests()
