"""Choices of the e-mail channel."""

from django.db import models


class MessageStatus(models.TextChoices):
    """What became of one inbound message."""

    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored (automatic mail)"
    RATE_LIMITED = "rate_limited", "Rate limited"
    REJECTED = "rejected", "Rejected (unknown sender)"
    QUARANTINED = "quarantined", "Quarantined"
    #: Never stored: a second delivery of a Message-ID already received.
    DUPLICATE = "duplicate", "Duplicate (already received)"


STATUS_COLOURS = {
    "processed": "green",
    "ignored": "grey",
    "rate_limited": "amber",
    "rejected": "amber",
    "quarantined": "red",
}


def status_colour(value: str) -> str:
    return STATUS_COLOURS.get(value, "grey")


class Outcome(models.TextChoices):
    """What a processed message did to a record."""

    CREATED = "created", "Created a record"
    REPLIED = "replied", "Added a reply"
    REOPENED = "reopened", "Reopened the record"
    FOLLOWED_UP = "followed_up", "Created a linked follow-up"


class ListMail(models.TextChoices):
    """What a mailbox does with mailing-list mail (a `List-Id` or `List-Unsubscribe` header)."""

    IGNORE = "ignore", "Ignore it (never a record, never answered)"
    ACCEPT = "accept", "Accept it like mail from a person"


class ProcessedAction(models.TextChoices):
    """What the poller does with a message in the IMAP folder once it is stored."""

    MOVE = "move", "Move to the processed folder"
    FLAG = "flag", "Mark as seen and leave it"
    DELETE = "delete", "Delete from the server"


class DeliveryMode(models.TextChoices):
    """How a person wants notification e-mail."""

    IMMEDIATE = "immediate", "One e-mail per event"
    DIGEST = "digest", "A digest (one e-mail per period)"
    OFF = "off", "No e-mail (in-app notifications only)"


class EventCategory(models.TextChoices):
    """Kinds of notification a person may mute; approvals are never muted or delayed."""

    CONFIRMATIONS = "confirmations", "Confirmations of what I raised"
    REPLIES = "replies", "Replies on my records"
    ASSIGNMENTS = "assignments", "Work assigned to me or my teams"
    UPDATES = "updates", "State changes (resolved, reopened, fulfilled…)"
    SLA = "sla", "SLA warnings and breaches"
    APPROVALS = "approvals", "Approval requests and outcomes"


#: Categories a person cannot mute or put in a digest: someone waits on them to act.
ALWAYS_IMMEDIATE = frozenset({EventCategory.APPROVALS})
