"""The incident write path. Pages, portal, API, e-mail and Celery tasks all call these."""

from incidents.priority import priority_for
from incidents.services.assignment import assign_incident
from incidents.services.conversation import add_reply, rate_resolution
from incidents.services.creation import create_incident
from incidents.services.major import decide_major, propose_major
from incidents.services.relations import set_parent, unlink_record
from incidents.services.transitions import (
    cancel_incident,
    close_incident,
    hold_for_supplier,
    hold_incident,
    release_from_supplier,
    reopen_incident,
    resolve_incident,
    start_incident,
)
from incidents.services.updates import update_incident

__all__ = [
    "add_reply",
    "assign_incident",
    "cancel_incident",
    "close_incident",
    "create_incident",
    "decide_major",
    "hold_for_supplier",
    "hold_incident",
    "priority_for",
    "propose_major",
    "rate_resolution",
    "release_from_supplier",
    "reopen_incident",
    "resolve_incident",
    "set_parent",
    "start_incident",
    "unlink_record",
    "update_incident",
]
