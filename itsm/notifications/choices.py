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
    "held": "grey",
    "digested": "green",
    "suppressed": "grey",
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    DEAD = "dead", "Gave up"
    #: The recipient wants a digest: the row waits for the digest task (itsm.mail.digest).
    HELD = "held", "Held for the digest"
    DIGESTED = "digested", "Sent in a digest"
    #: The recipient does not want this kind of e-mail (in-app notification only).
    SUPPRESSED = "suppressed", "Not sent (recipient's preferences)"

    @classmethod
    def colour(cls, value: str) -> str:
        return DELIVERY_STATUS_COLOURS.get(value, "grey")

    @classmethod
    def retryable(cls) -> list[str]:
        return [cls.PENDING, cls.FAILED]
