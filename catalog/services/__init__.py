"""The catalog write path. Portal, workspace, API, demo data and other practices call these.

Other practices import only this module: `register_standard_change_handler` and
`complete_request_item` are the change practice's way in (see `catalog.standard_changes`).
"""

from catalog.services.fulfilment import (
    add_task_note,
    assign_task,
    complete_request_item,
    complete_task,
    hold_task,
    release_item,
    skip_task,
    start_task,
)
from catalog.services.requests import add_request_reply, cancel_request, may_cancel, on_approval_outcome
from catalog.services.submission import OrderLine, may_order_for, submit_request, validate_line
from catalog.services.versions import publish_item
from catalog.standard_changes import register_standard_change_handler

__all__ = [
    "OrderLine",
    "add_request_reply",
    "add_task_note",
    "assign_task",
    "cancel_request",
    "complete_request_item",
    "complete_task",
    "hold_task",
    "may_cancel",
    "may_order_for",
    "on_approval_outcome",
    "publish_item",
    "register_standard_change_handler",
    "release_item",
    "skip_task",
    "start_task",
    "submit_request",
    "validate_line",
]
