"""Choices for knowledge fields: one class per field; `colour()` gives the badge colour."""

from django.db import models


class ArticleState(models.TextChoices):
    """Where an article is in its lifecycle (the moves are in `workflow.py`)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"

    @classmethod
    def colour(cls, value: str) -> str:
        return {
            "draft": "grey",
            "in_review": "amber",
            "scheduled": "blue",
            "published": "green",
            "retired": "grey",
        }.get(value, "grey")


class Audience(models.TextChoices):
    """Who may read a published article."""

    EVERYONE = "everyone", "All signed-in users"
    AGENTS = "agents", "Agents only"
    TEAMS = "teams", "Specific teams"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    GERMAN = "de", "German"
    FRENCH = "fr", "French"
    SPANISH = "es", "Spanish"
    DUTCH = "nl", "Dutch"


#: PostgreSQL text search configuration per article language ("simple" for the rest).
SEARCH_CONFIGS = {"en": "english", "de": "german", "fr": "french", "es": "spanish", "nl": "dutch"}


class ReviewTaskReason(models.TextChoices):
    FLAGGED_OUTDATED = "flagged_outdated", "Flagged as outdated"
    REVIEW_DUE = "review_due", "Review date reached"


class ReviewTaskState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"

    @classmethod
    def colour(cls, value: str) -> str:
        return "amber" if value == "open" else "green"
