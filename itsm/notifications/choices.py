"""Choices for outbox rows."""

from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


DELIVERY_STATUS_COLOURS = {
    "pending": "blue",
    "sending": "teal",
    "sent": "green",
    "failed": "amber",
    "dead": "red",
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    DEAD = "dead", "Gave up"

    @classmethod
    def colour(cls, value: str) -> str:
        return DELIVERY_STATUS_COLOURS.get(value, "grey")

    @classmethod
    def retryable(cls) -> list[str]:
        return [cls.PENDING, cls.FAILED]
