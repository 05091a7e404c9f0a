"""Choices for SLA definitions, clocks and their history; `colour()` gives the badge colour."""

from django.db import models

from itsm.core.choices import StateCategory

#: Warning thresholds a new definition starts with (percent of the target used).
DEFAULT_WARNING_THRESHOLDS = (50, 75, 90)

#: State categories in which no work is owed any more: resolution clocks stop as met there.
DONE_CATEGORIES = frozenset({StateCategory.RESOLVED, StateCategory.CLOSED})


class Target(models.TextChoices):
    """What a definition measures."""

    RESPONSE = "response", "Response"
    RESOLUTION = "resolution", "Resolution"
    OLA = "ola", "Group share (OLA)"

    @classmethod
    def colour(cls, value: str) -> str:
        return {"response": "blue", "resolution": "teal", "ola": "grey"}.get(value, "grey")


CLOCK_STAGE_COLOURS = {"running": "teal", "paused": "amber", "met": "green", "cancelled": "grey"}


class ClockStage(models.TextChoices):
    """Where a clock is; `running` and `paused` are open, `met` and `cancelled` are final
    (a met resolution clock resumes when its task is reopened)."""

    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Stopped"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def colour(cls, value: str) -> str:
        return CLOCK_STAGE_COLOURS.get(value, "grey")

    @classmethod
    def open(cls) -> list[str]:
        return [cls.RUNNING, cls.PAUSED]


class StopReason(models.TextChoices):
    """Why a clock stopped; decides whether it may resume (only `resolved` ones do, on reopen)."""

    NONE = "", "—"
    RESPONDED = "responded", "First response given"
    RESOLVED = "resolved", "Task resolved or closed"
    HANDED_OVER = "handed_over", "Handed to another group"
    NO_LONGER_APPLIES = "no_longer_applies", "Definition no longer applies"
    TASK_CANCELLED = "task_cancelled", "Task cancelled"


EVENT_KIND_COLOURS = {
    "attached": "blue",
    "paused": "amber",
    "resumed": "teal",
    "warning": "orange",
    "breached": "red",
    "met": "green",
    "retargeted": "blue",
    "cancelled": "grey",
}


class EventKind(models.TextChoices):
    """One line of a clock's history."""

    ATTACHED = "attached", "Attached"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    WARNING = "warning", "Warning"
    BREACHED = "breached", "Breached"
    MET = "met", "Stopped"
    RETARGETED = "retargeted", "Re-targeted"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def colour(cls, value: str) -> str:
        return EVENT_KIND_COLOURS.get(value, "grey")


class Trigger(models.TextChoices):
    """When an escalation step runs."""

    WARNING = "warning", "At a warning threshold"
    BREACH = "breach", "On breach"


class EscalationAction(models.TextChoices):
    """What an escalation step does; which step fields each action needs is in `ACTION_NEEDS`."""

    NOTIFY_ASSIGNEE = "notify_assignee", "Notify the assignee"
    NOTIFY_GROUP = "notify_group", "Notify the assignment group's members"
    NOTIFY_GROUP_LEAD = "notify_group_lead", "Notify the assignment group's lead"
    NOTIFY_USER = "notify_user", "Notify a person (e.g. a manager)"
    NOTIFY_WATCHERS = "notify_watchers", "Notify the watchers"
    REASSIGN_GROUP = "reassign_group", "Reassign to a group"
    RAISE_PRIORITY = "raise_priority", "Raise the priority by one step"
    ADD_WORK_NOTE = "add_work_note", "Add a work note"
    CALL_WEBHOOK = "call_webhook", "Call a webhook"


#: The step field each action needs filled in (the others must stay empty).
ACTION_NEEDS: dict[str, str | None] = {
    EscalationAction.NOTIFY_ASSIGNEE: None,
    EscalationAction.NOTIFY_GROUP: None,
    EscalationAction.NOTIFY_GROUP_LEAD: None,
    EscalationAction.NOTIFY_USER: "user",
    EscalationAction.NOTIFY_WATCHERS: None,
    EscalationAction.REASSIGN_GROUP: "team",
    EscalationAction.RAISE_PRIORITY: None,
    EscalationAction.ADD_WORK_NOTE: "note",
    EscalationAction.CALL_WEBHOOK: "webhook_url",
}


class RecomputeStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"

    @classmethod
    def colour(cls, value: str) -> str:
        return {"queued": "blue", "running": "teal", "done": "green", "failed": "red"}.get(value, "grey")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"
