"""Choices for the catalog: one class per field, with badge colours where pages show them."""

from django.db import models


class VariableType(models.TextChoices):
    """What a form variable asks for; `catalog.forms_engine` validates each one."""

    TEXT = "text", "Single-line text"
    TEXTAREA = "textarea", "Multi-line text"
    NUMBER = "number", "Number"
    BOOLEAN = "boolean", "Yes / no"
    CHOICE = "choice", "Choice (one)"
    MULTICHOICE = "multichoice", "Choice (several)"
    DATE = "date", "Date"
    DATETIME = "datetime", "Date and time"
    USER = "user", "Person"
    CI = "ci", "Configuration item"
    ATTACHMENT = "attachment", "Attachment"


class ConditionEffect(models.TextChoices):
    """What a variable's condition does when the other variable has the given value."""

    SHOW = "show", "Show only when"
    REQUIRE = "require", "Required only when"


class Audience(models.TextChoices):
    """Who may see and order an item."""

    EVERYONE = "everyone", "Everyone"
    ROLES = "roles", "People with one of the roles"
    TEAMS = "teams", "Members of one of the teams"


class ApproverKind(models.TextChoices):
    MANAGER = "manager", "The requester's manager"
    TEAM = "team", "Members of a team"


class ApprovalRule(models.TextChoices):
    """How many approvers of a stage must say yes (names as `itsm.approvals` expects them)."""

    ANY = "any", "Any one"
    ALL = "all", "All"
    COUNT = "count", "A number of them"
    MAJORITY = "majority", "A majority"


STATE_COLOURS = {"new": "blue", "open": "teal", "pending": "amber", "resolved": "green"}
