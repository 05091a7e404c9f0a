"""Choices of the problem practice: one class per field, with badge colours."""

from django.db import models


class ProblemTaskType(models.TextChoices):
    INVESTIGATION = "investigation", "Investigation"
    RCA = "rca", "Root-cause analysis"
    FIX = "fix", "Fix"


CANDIDATE_STATUS_COLOURS = {"proposed": "amber", "accepted": "green", "dismissed": "grey"}


class CandidateStatus(models.TextChoices):
    """What became of a cluster the proposal job found."""

    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"

    @classmethod
    def colour(cls, value: str) -> str:
        return CANDIDATE_STATUS_COLOURS.get(value, "grey")


class FixResolution(models.TextChoices):
    """How a problem was resolved."""

    FIXED = "fixed", "Fixed (root cause removed)"
    WORKAROUND_ONLY = "workaround", "Accepted with workaround"
    NOT_REPRODUCIBLE = "not_reproducible", "Could not be reproduced"
    DUPLICATE = "duplicate", "Duplicate problem"
