"""Priority from impact and urgency, through the admin-editable matrix."""

from incidents.models import PriorityRule
from itsm.core import configcache

#: The process's copy of the matrix (`itsm.core.configcache`); forgotten when a cell changes.
MATRIX_CACHE = "incidents.priority-matrix"

#: The ITIL 3×3 default, also used for any cell an admin removed: (impact, urgency) -> priority.
ITIL_MATRIX = {
    (1, 1): 1,
    (1, 2): 2,
    (1, 3): 3,
    (2, 1): 2,
    (2, 2): 3,
    (2, 3): 4,
    (3, 1): 3,
    (3, 2): 4,
    (3, 3): 5,
}


def priority_for(impact: int, urgency: int) -> int:
    """The matrix's priority for the pair; the ITIL default for a cell an admin removed."""
    return current_matrix().get((impact, urgency)) or ITIL_MATRIX[(impact, urgency)]


def current_matrix() -> dict[tuple[int, int], int]:
    return configcache.cached(
        MATRIX_CACHE, lambda: {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}
    )
