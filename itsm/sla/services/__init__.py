"""The SLA write path. Practice services call these inside their own transaction:

attach_clocks(task)                                   # right after creating the task
before = clock_snapshot(task); ...change...; sync_clocks(task, before=before)
record_response(task)                                 # the first response went out
"""

from itsm.sla.services.calendars import (
    create_calendar,
    import_public_holidays,
    request_recompute,
    update_calendar,
)
from itsm.sla.services.clocks import attach_clocks, clock_snapshot, record_response, sync_clocks
from itsm.sla.services.firing import fire, sweep_due_clocks

__all__ = [
    "attach_clocks",
    "clock_snapshot",
    "create_calendar",
    "fire",
    "import_public_holidays",
    "record_response",
    "request_recompute",
    "sweep_due_clocks",
    "sync_clocks",
    "update_calendar",
]
