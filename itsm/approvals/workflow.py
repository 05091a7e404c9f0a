"""An approval's lifecycle: requested, then approved, rejected, or no longer needed.

The approver moves it with `approve`/`reject`; the machinery moves it with `cancel` when its
stage or plan finished without it (or the subject was cancelled).
"""

from itsm.approvals.choices import Decision
from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow


def needs_comment(approval) -> str | None:
    return None if approval.comment.strip() else "Say why you reject it: the requester will read it."


APPROVAL_WORKFLOW = Workflow(
    states=[
        State(Decision.REQUESTED, "Requested", StateCategory.OPEN),
        State(Decision.APPROVED, "Approved", StateCategory.CLOSED),
        State(Decision.REJECTED, "Rejected", StateCategory.CLOSED),
        State(Decision.CANCELLED, "No longer needed", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("approve", "Approve", sources=(Decision.REQUESTED,), target=Decision.APPROVED),
        Transition(
            "reject",
            "Reject",
            sources=(Decision.REQUESTED,),
            target=Decision.REJECTED,
            requires=(needs_comment,),
        ),
        Transition("cancel", "Withdraw", sources=(Decision.REQUESTED,), target=Decision.CANCELLED),
    ],
    initial=Decision.REQUESTED,
)
