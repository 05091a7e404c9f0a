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
    #: The webhook subscription a webhook row is for (None: e-mail, or an SLA escalation step's URL).
    subscription = models.ForeignKey(
        "notifications.WebhookSubscription",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
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
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["subscription", "status"], name="outbox_subscription_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.to_address}: {self.subject}"

    @property
    def status_colour(self) -> str:
        return DeliveryStatus.colour(self.status)


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox message, kept for the delivery log."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)
    #: Webhooks only: the receiver's HTTP status, how long it took, the start of its answer.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)

    class Meta:
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}: {'ok' if self.succeeded else 'failed'}"


class WebhookSubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WebhookSubscriptionQuerySet":
        """Admins see every subscription; integrators (the webhooks permission) their own."""
        from itsm.notifications.webhooks.access import may_manage_all, may_manage_own

        if may_manage_all(user):
            return self
        if may_manage_own(user):
            return self.filter(owner=user)
        return self.none()


class WebhookSubscription(models.Model):
    """An integration's wish to receive events as signed HTTP POSTs.

    The secret is kept in clear: it signs every delivery (HMAC-SHA256), so it cannot be hashed
    like an API token; only the owner and admins see it. Disabled automatically after
    `WEBHOOK_DISABLE_AFTER_FAILURES` consecutive failed attempts or an HTTP 410.
    """

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    event_types = models.JSONField(default=list)
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="+")
    assignment_groups = models.ManyToManyField("core.Team", blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        permissions = [("manage_webhooks", "Can manage own webhook subscriptions")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("webhooks:detail", args=[self.pk])


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
