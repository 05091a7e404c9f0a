"""Choices of the change practice: one class per field, with badge colours."""

from django.db import models

CHANGE_TYPE_COLOURS = {"standard": "green", "normal": "blue", "emergency": "red"}


class ChangeType(models.TextChoices):
    """How much assessment and approval a change needs."""

    STANDARD = "standard", "Standard"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"

    @classmethod
    def colour(cls, value: str) -> str:
        return CHANGE_TYPE_COLOURS.get(value, "grey")


RISK_COLOURS = {"low": "green", "moderate": "amber", "high": "orange", "very_high": "red"}


class RiskLevel(models.TextChoices):
    """The change's risk, from the questionnaire and the history of its CIs and services."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"

    @classmethod
    def colour(cls, value: str) -> str:
        return RISK_COLOURS.get(value, "grey")

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for low … 3 for very high; policies compare risks by rank."""
        return list(cls.values).index(value) if value in cls.values else 0


CLOSE_CODE_COLOURS = {
    "successful": "green",
    "successful_with_issues": "amber",
    "failed": "red",
    "backed_out": "orange",
}


class CloseCode(models.TextChoices):
    """How the implementation went."""

    SUCCESSFUL = "successful", "Successful"
    SUCCESSFUL_WITH_ISSUES = "successful_with_issues", "Successful with issues"
    FAILED = "failed", "Failed"
    BACKED_OUT = "backed_out", "Backed out"

    @classmethod
    def colour(cls, value: str) -> str:
        return CLOSE_CODE_COLOURS.get(value, "grey")

    @classmethod
    def unsuccessful(cls) -> list[str]:
        """Codes that count as a failure in the risk history."""
        return [cls.FAILED, cls.BACKED_OUT]


class ChangeTaskType(models.TextChoices):
    PLANNING = "planning", "Planning"
    IMPLEMENTATION = "implementation", "Implementation"
    TESTING = "testing", "Testing"
    REVIEW = "review", "Review"


class RaisableChangeType(models.TextChoices):
    """The types raised by hand: a standard change comes from a template."""

    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"
