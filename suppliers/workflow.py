"""The supplier engagement lifecycle: opened → supplier responded → supplier resolved → closed.

An engagement ended before the supplier resolved is withdrawn (category cancelled), so its
underpinning clocks are cancelled rather than counted as kept promises.
"""

from itsm.core.choices import StateCategory
from itsm.core.workflow import State, Transition, Workflow

OPENED, RESPONDED, RESOLVED, CLOSED, WITHDRAWN = "opened", "responded", "resolved", "closed", "withdrawn"
OPEN_STATES = (OPENED, RESPONDED)

ENGAGEMENT_WORKFLOW = Workflow(
    states=[
        State(OPENED, "Awaiting supplier", StateCategory.OPEN),
        State(RESPONDED, "Supplier responded", StateCategory.OPEN),
        State(RESOLVED, "Supplier resolved", StateCategory.RESOLVED),
        State(CLOSED, "Closed", StateCategory.CLOSED),
        State(WITHDRAWN, "Withdrawn", StateCategory.CANCELLED),
    ],
    transitions=[
        Transition("respond", "Supplier responded", sources=(OPENED,), target=RESPONDED),
        Transition("resolve", "Supplier resolved", sources=OPEN_STATES, target=RESOLVED),
        Transition("reopen", "Back to the supplier", sources=(RESOLVED,), target=RESPONDED),
        Transition("close", "End engagement", sources=(RESOLVED,), target=CLOSED),
        Transition("withdraw", "End engagement (unresolved)", sources=OPEN_STATES, target=WITHDRAWN),
    ],
    initial=OPENED,
)

#: The engagement's state names as transition names the API and pages offer.
TRANSITIONS = tuple(ENGAGEMENT_WORKFLOW.transitions)
