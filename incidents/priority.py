"""Priority from impact and urgency, through the admin-editable matrix."""

from incidents.models import PriorityRule

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
    rule = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency).values_list("priority", flat=True).first()
    )
    return rule if rule is not None else ITIL_MATRIX[(impact, urgency)]
