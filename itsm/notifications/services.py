"""Queueing notifications. Call these inside the service transaction that caused them.

Nothing here talks to SMTP or HTTP: rows are written now and delivered after commit.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from itsm.core.models import Task
from itsm.core.tasks import dispatch_on_commit
from itsm.mail.outbound import queue_headers, subject_with_number
from itsm.notifications.choices import Channel
from itsm.notifications.models import Notification, OutboxMessage


def queue_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    task: Task | None = None,
    recipient: User | None = None,
    dedupe_key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboxMessage | None:
    """Write an e-mail to the outbox; it is sent after the transaction commits.

    Returns None when `dedupe_key` was queued before (the event already produced its mail).
    Mail about a record carries its number in the subject and a per-record Reply-To, so
    replies find their way back (itsm.mail.outbound); `headers` given here win.
    """
    from itsm.notifications.tasks import deliver_message

    number = getattr(task, "number", "") if task is not None else ""
    if number:
        subject = subject_with_number(subject, number)
        headers = {**queue_headers(number), **(headers or {})}
    message = _create_once(
        OutboxMessage,
        dedupe_key,
        channel=Channel.EMAIL,
        to_address=to,
        subject=_one_line(subject)[:300],
        body_text=text,
        body_html=html,
        task=task,
        recipient=recipient,
        headers=dict(headers or {}),
    )
    if message is not None:
        dispatch_on_commit(deliver_message, message.pk)
    return message


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML from `notifications/email/<template>.{subject.txt,txt,html}`."""
    base = f"notifications/email/{template}"
    subject = render_to_string(f"{base}.subject.txt", context)
    text = render_to_string(f"{base}.txt", context)
    html = render_to_string(f"{base}.html", context)
    return _one_line(subject), text, html


def notify_user(
    user: User,
    *,
    title: str,
    body: str = "",
    url: str = "",
    task: Task | None = None,
    email_template: str | None = None,
    context: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """An in-app notification and, when a template is given and the user has an address, an e-mail."""
    if not user.is_active:
        return None
    notification = _create_once(
        Notification, dedupe_key, recipient=user, task=task, title=title[:250], body=body, url=url
    )
    if notification is not None and email_template and user.email:
        subject, text, html = render_email(
            email_template,
            {
                "user": user,
                "task": task,
                "title": title,
                "body": body,
                "link": absolute_url(url) if url else "",
                "site_name": settings.SITE_NAME,
                **(context or {}),
            },
        )
        queue_email(
            to=user.email,
            subject=subject,
            text=text,
            html=html,
            task=task,
            recipient=user,
            dedupe_key=f"{dedupe_key}:email" if dedupe_key else None,
        )
    return notification


def absolute_url(path: str) -> str:
    """Links in e-mails must be absolute: SITE_URL + the page's path."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread when no ids are given); returns how many."""
    unread = Notification.objects.filter(recipient=user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


def _create_once(model, dedupe_key: str | None, **fields):
    """Create a row unless one with the same dedupe key exists (then None)."""
    if dedupe_key is None:
        return model.objects.create(**fields)
    row = model(dedupe_key=dedupe_key, **fields)
    if connection.features.can_return_columns_from_insert:
        return _insert_unless_duplicate(row)
    try:  # SQLite before 3.35 has no RETURNING: a savepoint catches the duplicate instead
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except IntegrityError:
        if model.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise


def _insert_unless_duplicate(row):
    """`INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`: one statement, no savepoint.

    A service queues two or three rows per event; the savepoint around each insert (so that a
    duplicate does not abort the caller's transaction) cost two extra statements per row.
    """
    meta = row._meta
    quote = connection.ops.quote_name
    columns = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(row, add=True), connection) for field in columns]
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in columns),
        ", ".join(["%s"] * len(columns)),
        quote(meta.get_field("dedupe_key").column),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding, row._state.db = False, connection.alias
    return row


def _one_line(text: str) -> str:
    """Header-safe: no line breaks can reach a Subject header."""
    return " ".join(text.split())
