"""Template helpers for SLA clocks: `{% sla_badge view %}` and `|business_duration`."""

from django import template
from django.utils.html import format_html

from itsm.sla.presentation import ClockView, short_duration

register = template.Library()


@register.filter
def business_duration(value) -> str:
    return short_duration(value) if value is not None else ""


@register.simple_tag
def sla_badge(view: ClockView | None) -> str:
    """The nearest target in words and colour: '2h 10m left', 'overdue 35m', 'paused'."""
    if view is None:
        return ""
    if view.stage != "running":
        text = view.stage_label.lower()
    elif view.overdue:
        text = f"overdue {short_duration(view.remaining)}"
    else:
        text = f"{short_duration(view.remaining)} left"
    return format_html(
        '<span class="badge badge-{}" title="{}: {}% of the target used">{}</span>',
        view.colour,
        view.name,
        view.percent,
        text,
    )
