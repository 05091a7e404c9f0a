"""The change and change-task lifecycles. Services check every move here, whoever calls them.

New → Assess → Authorize → Scheduled → Implement → Review → Closed, and Cancelled from any
state before implementation. The change type decides the short cuts:

- standard: pre-approved, so New → Scheduled directly (no assessment, no CAB);
- emergency: New → Authorize directly (expedited emergency CAB), reviewed afterwards;
- normal: every step.

A CAB rejection sends the change back to Assess to be reworked. Guards check the record;
`requires` checks what the caller supplies with the move (a close code, a reason).
"""

from changes.choices import ChangeType, CloseCode
from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow

NEW, ASSESS, AUTHORIZE, SCHEDULED, IMPLEMENT, REVIEW, CLOSED, CANCELLED = (
    "new",
    "assess",
    "authorize",
    "scheduled",
    "implement",
    "review",
    "closed",
    "cancelled",
)
BEFORE_IMPLEMENTATION = (NEW, ASSESS, AUTHORIZE, SCHEDULED)
#: The approval plan purpose of a CAB authorization.
CAB_PURPOSE = "cab"


def not_standard(change) -> str | None:
    if change.change_type == ChangeType.STANDARD:
        return "A standard change is pre-approved: schedule it directly."
    return None


def emergency_only(change) -> str | None:
    if change.state == NEW and change.change_type != ChangeType.EMERGENCY:
        return "Only an emergency change skips assessment: assess this change first."
    return None


def needs_plans(change) -> str | None:
    missing = [
        label
        for label, text in (
            ("the reason", change.reason),
            ("an implementation plan", change.implementation_plan),
            ("a back-out plan", change.backout_plan),
        )
        if not text.strip()
    ]
    return f"Write {', '.join(missing)} first." if missing else None


def needs_window(change) -> str | None:
    if not change.planned_start or not change.planned_end:
        return "Set the planned start and end first."
    return None


def needs_risk_assessment(change) -> str | None:
    """Normal changes are authorized on their assessed risk; emergency ones may skip the questionnaire."""
    if change.change_type == ChangeType.NORMAL and change.risk_assessed_at is None:
        return "Assess the risk (answer the questionnaire) first."
    return None


def authorized_or_standard(change) -> str | None:
    """From New only a standard change may be scheduled; from Authorize, only once the CAB approved."""
    if change.state == NEW:
        return None if change.change_type == ChangeType.STANDARD else "Only a standard change skips the CAB."
    if not getattr(change, "cab_approved", False):
        return "The CAB has not authorized this change yet."
    return None


def needs_close_code(change) -> str | None:
    if change.close_code not in CloseCode.values:
        return "Choose how the implementation went (close code)."
    if change.close_code != CloseCode.SUCCESSFUL and not change.close_notes.strip():
        return "Describe what went wrong in the close notes."
    return None


def tasks_finished(change) -> str | None:
    open_tasks = getattr(change, "open_task_numbers", None)
    if open_tasks:
        return f"Finish or skip the open change tasks first: {', '.join(open_tasks)}."
    return None


def review_done_if_required(change) -> str | None:
    if change.pir_required and not getattr(change, "has_review", False):
        return "This change needs a post-implementation review before it can be closed."
    return None


def needs_cancel_reason(change) -> str | None:
    return None if change.cancel_reason.strip() else "Say why the change is cancelled."


CHANGE_WORKFLOW = Workflow(
    states=[
        State(NEW, "New", StateCategory.NEW),
        State(ASSESS, "Assess", StateCategory.OPEN),
        State(AUTHORIZE, "Authorize", StateCategory.PENDING),
        State(SCHEDULED, "Scheduled", StateCategory.OPEN),
        State(IMPLEMENT, "Implement", StateCategory.OPEN),
        State(REVIEW, "Review", StateCategory.RESOLVED),
        State(CLOSED, "Closed", StateCategory.CLOSED),
        State(CANCELLED, "Cancelled", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("assess", "Submit for assessment", sources=(NEW,), target=ASSESS, guards=(not_standard,)),
        Transition(
            "request_authorization",
            "Request CAB authorization",
            sources=(NEW, ASSESS),
            target=AUTHORIZE,
            guards=(not_standard, emergency_only),
            requires=(needs_plans, needs_window, needs_risk_assessment),
        ),
        Transition("rework", "Send back for rework", sources=(AUTHORIZE,), target=ASSESS),
        Transition(
            "schedule",
            "Schedule",
            sources=(NEW, AUTHORIZE),
            target=SCHEDULED,
            guards=(authorized_or_standard,),
            requires=(needs_plans, needs_window),
        ),
        Transition("implement", "Start implementation", sources=(SCHEDULED,), target=IMPLEMENT),
        Transition(
            "complete",
            "Complete implementation",
            sources=(IMPLEMENT,),
            target=REVIEW,
            requires=(needs_close_code, tasks_finished),
        ),
        Transition("close", "Close", sources=(REVIEW,), target=CLOSED, requires=(review_done_if_required,)),
        Transition(
            "cancel",
            "Cancel",
            sources=BEFORE_IMPLEMENTATION,
            target=CANCELLED,
            requires=(needs_cancel_reason,),
        ),
    ],
    initial=NEW,
)

TASK_OPEN, TASK_IN_PROGRESS, TASK_DONE, TASK_SKIPPED = "open", "in_progress", "done", "skipped"
TASK_FINISHED = (TASK_DONE, TASK_SKIPPED)


def earlier_tasks_finished(task) -> str | None:
    """An ordered task waits for every task of a lower order on the same change."""
    waiting = getattr(task, "blocking_numbers", None)
    return f"Finish {', '.join(waiting)} first (they come earlier in the order)." if waiting else None


def needs_skip_reason(task) -> str | None:
    return None if task.outcome.strip() else "Say why the task is skipped."


CHANGE_TASK_WORKFLOW = Workflow(
    states=[
        State(TASK_OPEN, "Open", StateCategory.NEW),
        State(TASK_IN_PROGRESS, "In progress", StateCategory.OPEN),
        State(TASK_DONE, "Done", StateCategory.CLOSED),
        State(TASK_SKIPPED, "Skipped", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition(
            "start", "Start", sources=(TASK_OPEN,), target=TASK_IN_PROGRESS, guards=(earlier_tasks_finished,)
        ),
        Transition(
            "complete",
            "Complete",
            sources=(TASK_OPEN, TASK_IN_PROGRESS),
            target=TASK_DONE,
            guards=(earlier_tasks_finished,),
        ),
        Transition(
            "skip",
            "Skip",
            sources=(TASK_OPEN, TASK_IN_PROGRESS),
            target=TASK_SKIPPED,
            requires=(needs_skip_reason,),
        ),
    ],
    initial=TASK_OPEN,
)
