"""Approval badges, and `{% has_approvals as show %}`: whether to link "My approvals" (see nav.py)."""

from django import template

from itsm.approvals import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def has_approvals(context) -> bool:
    user = context.get("user")
    return user is not None and nav.has_approvals(user)


@register.simple_tag
def decision_badge(approval):
    """The approval's decision, coloured."""
    from itsm.approvals.choices import Decision
    from itsm.core.templatetags.itsm import badge

    label = Decision(approval.state).label if approval.state in Decision.values else approval.state
    return badge(label, Decision.colour(approval.state))


@register.simple_tag
def stage_badge(stage):
    from itsm.approvals.choices import StageState
    from itsm.core.templatetags.itsm import badge

    return badge(stage.get_state_display(), StageState.colour(stage.state))


@register.simple_tag
def outcome_badge(plan):
    from itsm.approvals.choices import PlanOutcome
    from itsm.core.templatetags.itsm import badge

    return badge(plan.get_outcome_display(), PlanOutcome.colour(plan.outcome))
