"""Choices for the platform's shared fields: one class per field; `colour()` gives the badge colour."""

from django.db import models


class TaskKind(models.TextChoices):
    """Every kind of workable record; each practice app owns the models for its kinds."""

    INCIDENT = "incident", "Incident"
    PROBLEM = "problem", "Problem"
    PROBLEM_TASK = "problem_task", "Problem task"
    CHANGE = "change", "Change"
    CHANGE_TASK = "change_task", "Change task"
    REQUEST = "request", "Request"
    REQUEST_ITEM = "request_item", "Requested item"
    FULFILMENT_TASK = "fulfilment_task", "Fulfilment task"
    APPROVAL = "approval", "Approval"
    SUPPLIER_ENGAGEMENT = "supplier_engagement", "Supplier engagement"


#: Human number prefixes per kind: INC0001001, PRB0001001, ...
NUMBER_PREFIXES: dict[str, str] = {
    TaskKind.INCIDENT: "INC",
    TaskKind.PROBLEM: "PRB",
    TaskKind.PROBLEM_TASK: "PTASK",
    TaskKind.CHANGE: "CHG",
    TaskKind.CHANGE_TASK: "CTASK",
    TaskKind.REQUEST: "REQ",
    TaskKind.REQUEST_ITEM: "RITM",
    TaskKind.FULFILMENT_TASK: "TASK",
    TaskKind.APPROVAL: "APV",
    TaskKind.SUPPLIER_ENGAGEMENT: "SENG",
}


STATE_CATEGORY_COLOURS = {
    "new": "blue",
    "open": "teal",
    "pending": "amber",
    "resolved": "green",
    "closed": "grey",
    "cancelled": "grey",
}


class StateCategory(models.TextChoices):
    """The state families shared by every workflow; queues, SLAs and KPIs use these."""

    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def colour(cls, value: str) -> str:
        return STATE_CATEGORY_COLOURS.get(value, "grey")

    @classmethod
    def active(cls) -> list[str]:
        """Categories in which work is still owed."""
        return [cls.NEW, cls.OPEN, cls.PENDING]


class Impact(models.IntegerChoices):
    HIGH = 1, "1 - High"
    MEDIUM = 2, "2 - Medium"
    LOW = 3, "3 - Low"


class Urgency(models.IntegerChoices):
    HIGH = 1, "1 - High"
    MEDIUM = 2, "2 - Medium"
    LOW = 3, "3 - Low"


class Priority(models.IntegerChoices):
    CRITICAL = 1, "P1 - Critical"
    HIGH = 2, "P2 - High"
    MODERATE = 3, "P3 - Moderate"
    LOW = 4, "P4 - Low"
    PLANNING = 5, "P5 - Planning"

    @classmethod
    def colour(cls, value: int) -> str:
        return {1: "red", 2: "orange", 3: "amber", 4: "blue", 5: "grey"}.get(value, "grey")


TIMELINE_KIND_COLOURS = {"comment": "blue", "work_note": "amber", "state_change": "teal"}


class TimelineKind(models.TextChoices):
    COMMENT = "comment", "Public comment"
    WORK_NOTE = "work_note", "Work note"
    FIELD_CHANGE = "field_change", "Field change"
    STATE_CHANGE = "state_change", "State change"
    SYSTEM = "system", "System event"

    @classmethod
    def colour(cls, value: str) -> str:
        return TIMELINE_KIND_COLOURS.get(value, "grey")


class LinkKind(models.TextChoices):
    """Typed links between tasks, read as `source <kind> target`."""

    DUPLICATE_OF = "duplicate_of", "Duplicate of"
    CHILD_OF = "child_of", "Child of"
    CAUSED_BY = "caused_by", "Caused by"
    RELATED_TO = "related_to", "Related to"
    RESOLVED_BY = "resolved_by", "Resolved by"


class OrganisationKind(models.TextChoices):
    DEPARTMENT = "department", "Department"
    CUSTOMER = "customer", "Customer company"
