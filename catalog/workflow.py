"""Lifecycles of requests, requested items and fulfilment tasks. Services check every move here.

A request follows its items (it is never moved by hand except cancellation); an item follows
its approvals and tasks; tasks are worked by the fulfilment groups.
"""

from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow

# --- request (REQ) ----------------------------------------------------------------------
SUBMITTED, IN_PROGRESS, FULFILLED, NOT_FULFILLED, CLOSED, CANCELLED = (
    "submitted",
    "in_progress",
    "fulfilled",
    "not_fulfilled",
    "closed",
    "cancelled",
)
REQUEST_OPEN = (SUBMITTED, IN_PROGRESS)

REQUEST_WORKFLOW = Workflow(
    states=[
        State(SUBMITTED, "Submitted", StateCategory.NEW),
        State(IN_PROGRESS, "In progress", StateCategory.OPEN),
        State(FULFILLED, "Fulfilled", StateCategory.RESOLVED),
        State(NOT_FULFILLED, "Closed, not fulfilled", StateCategory.CLOSED),
        State(CLOSED, "Closed", StateCategory.CLOSED),
        State(CANCELLED, "Cancelled", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("start", "Start", sources=(SUBMITTED,), target=IN_PROGRESS),
        Transition("fulfil", "Fulfil", sources=REQUEST_OPEN, target=FULFILLED),
        Transition("close_unfulfilled", "Close, not fulfilled", sources=REQUEST_OPEN, target=NOT_FULFILLED),
        Transition("close", "Close", sources=(FULFILLED,), target=CLOSED),
        Transition("cancel", "Cancel", sources=REQUEST_OPEN, target=CANCELLED),
    ],
    initial=SUBMITTED,
)

# --- requested item (RITM) --------------------------------------------------------------
AWAITING_APPROVAL, IN_FULFILMENT, REJECTED = "awaiting_approval", "in_fulfilment", "rejected"
ITEM_OPEN = (SUBMITTED, AWAITING_APPROVAL, IN_FULFILMENT)

ITEM_WORKFLOW = Workflow(
    states=[
        State(SUBMITTED, "Submitted", StateCategory.NEW),
        State(AWAITING_APPROVAL, "Awaiting approval", StateCategory.PENDING),
        State(IN_FULFILMENT, "In fulfilment", StateCategory.OPEN),
        State(FULFILLED, "Fulfilled", StateCategory.RESOLVED),
        State(REJECTED, "Rejected", StateCategory.CLOSED),
        State(CANCELLED, "Cancelled", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("request_approval", "Ask for approval", sources=(SUBMITTED,), target=AWAITING_APPROVAL),
        Transition(
            "release", "Release to fulfilment", sources=(SUBMITTED, AWAITING_APPROVAL), target=IN_FULFILMENT
        ),
        Transition("reject", "Reject", sources=(AWAITING_APPROVAL,), target=REJECTED),
        Transition("fulfil", "Fulfil", sources=(IN_FULFILMENT,), target=FULFILLED),
        Transition("cancel", "Cancel", sources=ITEM_OPEN, target=CANCELLED),
    ],
    initial=SUBMITTED,
)

# --- fulfilment task (TASK) -------------------------------------------------------------
OPEN, WORKING, ON_HOLD, DONE, SKIPPED = "open", "working", "on_hold", "done", "skipped"
TASK_OPEN = (OPEN, WORKING, ON_HOLD)

TASK_WORKFLOW = Workflow(
    states=[
        State(OPEN, "Open", StateCategory.NEW),
        State(WORKING, "Work in progress", StateCategory.OPEN),
        State(ON_HOLD, "On hold", StateCategory.PENDING),
        State(DONE, "Done", StateCategory.RESOLVED),
        State(SKIPPED, "Skipped", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("start", "Start work", sources=(OPEN, ON_HOLD), target=WORKING),
        Transition("hold", "Put on hold", sources=(OPEN, WORKING), target=ON_HOLD),
        Transition("complete", "Complete", sources=TASK_OPEN, target=DONE),
        Transition("skip", "Skip", sources=TASK_OPEN, target=SKIPPED),
    ],
    initial=OPEN,
)

#: The workflow of each kind, for pages that show any of them.
WORKFLOWS = {"request": REQUEST_WORKFLOW, "request_item": ITEM_WORKFLOW, "fulfilment_task": TASK_WORKFLOW}
