"""The incident lifecycle. Services check every move here, whoever calls them."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow

NEW, IN_PROGRESS, ON_HOLD, RESOLVED, CLOSED, CANCELLED = (
    "new",
    "in_progress",
    "on_hold",
    "resolved",
    "closed",
    "cancelled",
)
WORKING = (NEW, IN_PROGRESS, ON_HOLD)


def needs_hold_reason(incident) -> str | None:
    return None if incident.hold_reason else "Choose why the incident is on hold."


def needs_resolution(incident) -> str | None:
    if not incident.resolution_code:
        return "Choose a resolution code."
    if not incident.resolution_notes.strip():
        return "Write resolution notes: what was done."
    return None


def within_reopen_window(incident) -> str | None:
    days = settings.INCIDENT_REOPEN_DAYS
    if incident.resolved_at and timezone.now() - incident.resolved_at > timedelta(days=days):
        return f"Resolved more than {days} days ago: raise a new incident instead."
    return None


INCIDENT_WORKFLOW = Workflow(
    states=[
        State(NEW, "New", StateCategory.NEW),
        State(IN_PROGRESS, "In progress", StateCategory.OPEN),
        State(ON_HOLD, "On hold", StateCategory.PENDING),
        State(RESOLVED, "Resolved", StateCategory.RESOLVED),
        State(CLOSED, "Closed", StateCategory.CLOSED),
        State(CANCELLED, "Cancelled", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("start", "Start work", sources=(NEW, ON_HOLD), target=IN_PROGRESS),
        Transition(
            "hold", "Put on hold", sources=(NEW, IN_PROGRESS), target=ON_HOLD, requires=(needs_hold_reason,)
        ),
        Transition("resolve", "Resolve", sources=WORKING, target=RESOLVED, requires=(needs_resolution,)),
        Transition("close", "Close", sources=(RESOLVED,), target=CLOSED),
        Transition(
            "reopen", "Reopen", sources=(RESOLVED,), target=IN_PROGRESS, guards=(within_reopen_window,)
        ),
        Transition("cancel", "Cancel", sources=WORKING, target=CANCELLED),
    ],
    initial=NEW,
)
