"""Models of the SLA app; import them from here."""

from itsm.sla.models.calendars import Calendar, Holiday, WorkingWindow
from itsm.sla.models.clocks import ClockRecompute, SLAClock, SLAEvent
from itsm.sla.models.definitions import EscalationStep, SLADefinition

__all__ = [
    "Calendar",
    "ClockRecompute",
    "EscalationStep",
    "Holiday",
    "SLAClock",
    "SLADefinition",
    "SLAEvent",
    "WorkingWindow",
]
