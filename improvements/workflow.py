"""The initiative lifecycle: identified → approved → in progress → realised, or abandoned.

Services check every move here. Realising needs the measured outcome written down (what
actually changed), abandoning a reason; approving and abandoning are for managers (services).
"""

from improvements.choices import Status
from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow

IDENTIFIED, APPROVED, IN_PROGRESS, REALISED, ABANDONED = Status.values
OPEN = (IDENTIFIED, APPROVED, IN_PROGRESS)


def _needs_outcome(initiative) -> str | None:
    if not (initiative.measured_outcome or "").strip():
        return "Write down the measured outcome before marking the initiative realised."
    return None


def _needs_reason(initiative) -> str | None:
    if not (initiative.close_reason or "").strip():
        return "Say why the initiative is abandoned."
    return None


INITIATIVE_WORKFLOW = Workflow(
    states=[
        State(IDENTIFIED, "Identified", StateCategory.NEW),
        State(APPROVED, "Approved", StateCategory.OPEN),
        State(IN_PROGRESS, "In progress", StateCategory.OPEN),
        State(REALISED, "Realised", StateCategory.CLOSED),
        State(ABANDONED, "Abandoned", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("approve", "Approve", sources=(IDENTIFIED,), target=APPROVED),
        Transition("start", "Start work", sources=(APPROVED,), target=IN_PROGRESS),
        Transition(
            "realise", "Mark realised", sources=(IN_PROGRESS,), target=REALISED, requires=(_needs_outcome,)
        ),
        Transition("abandon", "Abandon", sources=OPEN, target=ABANDONED, requires=(_needs_reason,)),
    ],
    initial=IDENTIFIED,
)

#: Moves only managers and administrators may make (deciding to spend effort, or to stop).
MANAGER_MOVES = frozenset({"approve", "abandon"})
