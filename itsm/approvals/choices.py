"""Choices of the approval machinery: one class per field, with badge colours."""

from django.db import models


class StageRule(models.TextChoices):
    """How a stage's decisions add up; see `itsm.approvals.rules` for the exact arithmetic."""

    ANY = "any", "Any one approver"
    ALL = "all", "Every approver"
    COUNT = "count", "A number of approvers"
    MAJORITY = "majority", "More than half of the approvers"


STAGE_STATE_COLOURS = {
    "waiting": "grey",
    "active": "blue",
    "approved": "green",
    "rejected": "red",
    "cancelled": "grey",
}


class StageState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ACTIVE = "active", "In progress"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def colour(cls, value: str) -> str:
        return STAGE_STATE_COLOURS.get(value, "grey")


OUTCOME_COLOURS = {"pending": "amber", "approved": "green", "rejected": "red", "cancelled": "grey"}


class PlanOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def colour(cls, value: str) -> str:
        return OUTCOME_COLOURS.get(value, "grey")


DECISION_COLOURS = {"requested": "amber", "approved": "green", "rejected": "red", "cancelled": "grey"}


class Decision(models.TextChoices):
    """An approval's state (its Task `state`): asked, answered either way, or no longer needed."""

    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "No longer needed"

    @classmethod
    def colour(cls, value: str) -> str:
        return DECISION_COLOURS.get(value, "grey")
