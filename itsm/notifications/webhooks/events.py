"""The webhook event types, and which timeline actions produce them.

Practices name their timeline actions `<kind>.<transition>` (`incident.resolve`); integrators
want past-tense facts (`incident.resolved`). This table is the one place that maps the two,
so a practice emits webhooks without importing anything from here.
"""

from collections.abc import Mapping
from typing import Any

#: Every event type a subscription can ask for, with the sentence the UI shows.
EVENT_TYPES: dict[str, str] = {
    "incident.created": "An incident was raised",
    "incident.updated": "An incident's fields or assignment changed",
    "incident.resolved": "An incident was resolved",
    "incident.closed": "An incident was closed",
    "incident.reopened": "A resolved incident was reopened",
    "incident.cancelled": "An incident was cancelled",
    "sla.warning": "A record reached an SLA warning threshold",
    "sla.breached": "A record breached an SLA target",
    "change.created": "A change was raised",
    "change.approved": "The CAB approved a change",
    "change.rejected": "The CAB rejected a change",
    "change.scheduled": "A change was scheduled",
    "change.implemented": "A change's implementation was completed",
    "change.closed": "A change was closed",
    "change.cancelled": "A change was cancelled",
    "problem.created": "A problem was raised",
    "problem.known_error": "A problem became a known error",
    "problem.resolved": "A problem was resolved",
    "problem.closed": "A problem was closed",
    "request.created": "A service request was submitted",
    "request.fulfilled": "A service request was fulfilled",
    "request.closed": "A service request was closed",
    "knowledge.published": "A knowledge article was published",
    "webhook.ping": "A test delivery sent from the Webhooks page",
}

#: Timeline action -> event type, where the action alone decides.
ACTION_EVENTS: dict[str, str] = {
    "incident.created": "incident.created",
    "incident.updated": "incident.updated",
    "incident.assigned": "incident.updated",
    "incident.resolve": "incident.resolved",
    "incident.close": "incident.closed",
    "incident.reopen": "incident.reopened",
    "incident.cancel": "incident.cancelled",
    "sla.warning": "sla.warning",
    "sla.breached": "sla.breached",
    "change.created": "change.created",
    "change.schedule": "change.scheduled",
    "change.complete": "change.implemented",
    "change.close": "change.closed",
    "change.cancel": "change.cancelled",
    "problem.created": "problem.created",
    "problem.resolve": "problem.resolved",
    "problem.close": "problem.closed",
    "request.submitted": "request.created",
    "request.fulfil": "request.fulfilled",
    "request.close": "request.closed",
    "request.close_unfulfilled": "request.closed",
    "article.approve": "knowledge.published",
    "article.publish": "knowledge.published",
}

#: An approval plan decided on a record of this kind -> event type per outcome.
APPROVAL_EVENTS: dict[tuple[str, str], str] = {
    ("change", "approval.plan_approved"): "change.approved",
    ("change", "approval.plan_rejected"): "change.rejected",
}


def event_type_for(kind: str, action: str, changes: Mapping[str, Any], state: str = "") -> str | None:
    """The webhook event an action on a record of `kind` produces, or None."""
    if kind == "problem" and _became_true(changes, "known_error"):
        return "problem.known_error"
    if (kind, action) in APPROVAL_EVENTS:
        return APPROVAL_EVENTS[(kind, action)]
    event = ACTION_EVENTS.get(action)
    if event == "knowledge.published" and state != "published":
        return None  # approved for a later date: published by "article.publish" then
    return event


def _became_true(changes: Mapping[str, Any], name: str) -> bool:
    value = changes.get(name)
    return isinstance(value, Mapping) and value.get("new") is True and value.get("old") is not True
