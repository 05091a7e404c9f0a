"""The problem and problem-task lifecycles. Services check every move here, whoever calls them.

New → Assessed → Root cause analysis → Fix in progress → Resolved → Closed, and Cancelled
from any working state. Closing needs the fix change completed, or a reason written down.
"""

from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow

NEW, ASSESSED, RCA, FIX_IN_PROGRESS, RESOLVED, CLOSED, CANCELLED = (
    "new",
    "assessed",
    "root_cause_analysis",
    "fix_in_progress",
    "resolved",
    "closed",
    "cancelled",
)
WORKING = (NEW, ASSESSED, RCA, FIX_IN_PROGRESS)
#: State categories of a change that count as "the fix change is completed".
CHANGE_DONE = (StateCategory.CLOSED, StateCategory.RESOLVED)


def needs_group(problem) -> str | None:
    return None if problem.assignment_group_id else "Assign the problem to a group before assessing it."


def needs_root_cause(problem) -> str | None:
    return None if problem.root_cause.strip() else "Document the root cause before starting the fix."


def needs_resolution(problem) -> str | None:
    if not problem.resolution_code:
        return "Choose how the problem was resolved."
    if not problem.resolution_notes.strip():
        return "Write resolution notes: what removed the cause."
    return None


def fix_done_or_reason(problem) -> str | None:
    """Closing needs the linked fix change completed, or a reason for closing without it."""
    if problem.close_reason.strip():
        return None
    change = problem.fix_change()
    if change is not None and change.state_category in CHANGE_DONE:
        return None
    if change is None:
        return "No fix change is linked: give a reason for closing without one."
    return f"The fix change {change.number} is not completed: give a reason for closing now."


def needs_cancel_reason(problem) -> str | None:
    return None if problem.close_reason.strip() else "Say why the problem is cancelled."


PROBLEM_WORKFLOW = Workflow(
    states=[
        State(NEW, "New", StateCategory.NEW),
        State(ASSESSED, "Assessed", StateCategory.OPEN),
        State(RCA, "Root cause analysis", StateCategory.OPEN),
        State(FIX_IN_PROGRESS, "Fix in progress", StateCategory.OPEN),
        State(RESOLVED, "Resolved", StateCategory.RESOLVED),
        State(CLOSED, "Closed", StateCategory.CLOSED),
        State(CANCELLED, "Cancelled", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("assess", "Mark assessed", sources=(NEW,), target=ASSESSED, guards=(needs_group,)),
        Transition("analyse", "Start root cause analysis", sources=(ASSESSED,), target=RCA),
        Transition(
            "fix", "Start the fix", sources=(RCA,), target=FIX_IN_PROGRESS, guards=(needs_root_cause,)
        ),
        Transition(
            "resolve", "Resolve", sources=(FIX_IN_PROGRESS,), target=RESOLVED, requires=(needs_resolution,)
        ),
        Transition("reopen", "Reopen", sources=(RESOLVED,), target=FIX_IN_PROGRESS),
        Transition("close", "Close", sources=(RESOLVED,), target=CLOSED, requires=(fix_done_or_reason,)),
        Transition("cancel", "Cancel", sources=WORKING, target=CANCELLED, requires=(needs_cancel_reason,)),
    ],
    initial=NEW,
)

TASK_OPEN, TASK_IN_PROGRESS, TASK_DONE, TASK_CANCELLED = "open", "in_progress", "done", "cancelled"

PROBLEM_TASK_WORKFLOW = Workflow(
    states=[
        State(TASK_OPEN, "Open", StateCategory.NEW),
        State(TASK_IN_PROGRESS, "In progress", StateCategory.OPEN),
        State(TASK_DONE, "Done", StateCategory.CLOSED),
        State(TASK_CANCELLED, "Cancelled", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("start", "Start", sources=(TASK_OPEN,), target=TASK_IN_PROGRESS),
        Transition("complete", "Complete", sources=(TASK_OPEN, TASK_IN_PROGRESS), target=TASK_DONE),
        Transition("cancel", "Cancel", sources=(TASK_OPEN, TASK_IN_PROGRESS), target=TASK_CANCELLED),
    ],
    initial=TASK_OPEN,
)
