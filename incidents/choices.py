"""Choices of the incident practice."""

from django.db import models


class ContactType(models.TextChoices):
    PORTAL = "portal", "Self-service portal"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Phone"
    API = "api", "API"
    MONITORING = "monitoring", "Monitoring"
    WALK_IN = "walk_in", "Walk-in"


class HoldReason(models.TextChoices):
    AWAITING_CALLER = "awaiting_caller", "Awaiting caller"
    AWAITING_CHANGE = "awaiting_change", "Awaiting change"
    AWAITING_SUPPLIER = "awaiting_supplier", "Awaiting supplier"


class ResolutionCode(models.TextChoices):
    SOLVED_WORKAROUND = "workaround", "Solved (work around)"
    SOLVED_PERMANENTLY = "permanent", "Solved (permanently)"
    SOLVED_REMOTELY = "remote", "Solved remotely"
    NOT_SOLVED_NOT_REPRODUCIBLE = "not_reproducible", "Not solved (not reproducible)"
    NOT_SOLVED_TOO_COSTLY = "too_costly", "Not solved (too costly)"
    CLOSED_BY_CALLER = "closed_by_caller", "Closed/resolved by caller"
    DUPLICATE = "duplicate", "Duplicate"


MAJOR_STATE_COLOURS = {"proposed": "amber", "accepted": "red", "rejected": "grey"}


class MajorIncidentState(models.TextChoices):
    NONE = "", "Not major"
    PROPOSED = "proposed", "Proposed as major"
    ACCEPTED = "accepted", "Major incident"
    REJECTED = "rejected", "Major rejected"

    @classmethod
    def colour(cls, value: str) -> str:
        return MAJOR_STATE_COLOURS.get(value, "grey")


class AssignmentMethod(models.TextChoices):
    MANUAL = "manual", "Manual (leave unassigned in the group)"
    ROUND_ROBIN = "round_robin", "Round-robin"
    LEAST_LOADED = "least_loaded", "Least loaded"
