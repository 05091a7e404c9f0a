"""Choices of the continual-improvement register."""

from django.db import models

STATUS_COLOURS = {
    "identified": "grey",
    "approved": "blue",
    "in_progress": "amber",
    "realised": "green",
    "abandoned": "red",
}


class Status(models.TextChoices):
    """Where an initiative is: identified → approved → in progress → realised (or abandoned)."""

    IDENTIFIED = "identified", "Identified"
    APPROVED = "approved", "Approved"
    IN_PROGRESS = "in_progress", "In progress"
    REALISED = "realised", "Realised"
    ABANDONED = "abandoned", "Abandoned"

    @classmethod
    def colour(cls, value: str) -> str:
        return STATUS_COLOURS.get(value, "grey")


class LinkKind(models.TextChoices):
    """Why a record is linked to an initiative."""

    PROBLEM = "problem", "Problem behind it"
    PIR = "pir", "Post-implementation review of a change"
    RECORD = "record", "Related record"
