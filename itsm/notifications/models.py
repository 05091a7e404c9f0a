"""Outbox rows (one per message to deliver), their attempts, and in-app notifications."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from itsm.notifications.choices import Channel, DeliveryStatus


def new_message_id() -> str:
    """A stable Message-ID: a redelivered e-mail carries the same one, so clients can de-duplicate."""
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    return f"<{uuid.uuid4().hex}@{domain}>"


class OutboxMessage(models.Model):
    """A message to deliver, written in the transaction that caused it.

    Delivery happens after commit (a Celery task per row) and, should the broker or a
    worker have been down, by the periodic sweep; every attempt is recorded.
    `dedupe_key` makes queueing idempotent: the same event never queues twice.
    """

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    task = models.ForeignKey(
        "core.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.CharField(max_length=500)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=200, default=new_message_id, db_index=True)

    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to_address}: {self.subject}"


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox message, kept for the delivery log."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}: {'ok' if self.succeeded else 'failed'}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notification: the bell in the top bar and the notifications page."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    task = models.ForeignKey("core.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.title} for {self.recipient_id}"
