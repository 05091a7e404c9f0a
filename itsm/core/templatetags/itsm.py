"""Template helpers shared by every surface: badges, safe links, times, captured blocks.

Badges take their colours from the `colour()` classmethods in the choices modules, so no
template hard-codes which state is green.
"""

from datetime import datetime
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from itsm.cmdb.choices import OperationalStatus
from itsm.core.choices import Priority, StateCategory, TimelineKind

register = template.Library()


def badge(label: Any, colour: str) -> SafeString:
    """One badge; `label` is escaped, `colour` comes from a choices class, never from users."""
    return format_html('<span class="badge badge-{}">{}</span>', colour, label)


def state_label(state: str) -> str:
    """A readable state name from the workflow value (`in_progress` → `In progress`)."""
    return state.replace("_", " ").strip().capitalize() if state else "—"


@register.simple_tag
def state_badge(task) -> SafeString:
    """The record's own state, coloured by its state category (the family every workflow shares)."""
    return badge(state_label(task.state), StateCategory.colour(task.state_category))


@register.simple_tag
def category_badge(category: str) -> SafeString:
    return badge(
        StateCategory(category).label if category in StateCategory.values else category,
        StateCategory.colour(category),
    )


@register.simple_tag
def priority_badge(task_or_priority) -> SafeString:
    """`{% priority_badge task %}` or `{% priority_badge 1 %}`: the short form (P1), the label as title."""
    value = getattr(task_or_priority, "priority", task_or_priority)
    try:
        priority = Priority(int(value))
    except (TypeError, ValueError):
        return badge("—", "grey")
    return format_html(
        '<span class="badge badge-{}" title="{}">P{}</span>',
        Priority.colour(priority.value),
        priority.label,
        priority.value,
    )


@register.simple_tag
def service_status_badge(service) -> SafeString:
    return badge(
        service.get_operational_status_display(), OperationalStatus.colour(service.operational_status)
    )


@register.simple_tag
def timeline_badge(entry) -> SafeString:
    return badge(entry.get_kind_display(), TimelineKind.colour(entry.kind))


@register.simple_tag
def optional_url(name: str, *args: Any) -> str:
    """The URL for `name`, or "" when no app has registered it yet.

    Surfaces link to pages that later practices add (catalog, knowledge, CMDB pages):
    `{% optional_url "cmdb:service-list" as url %}{% if url %}<a href="{{ url }}">…{% endif %}`
    shows the link only once the page exists, so there are never dead links.
    """
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""


@register.simple_tag
def reltime(value: datetime | None) -> SafeString:
    """`<time>` showing "3 hours ago", with the exact local time as its title and machine value."""
    if value is None:
        return format_html('<span class="muted">{}</span>', "—")
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        date_format(local, "DATETIME_FORMAT"),
        _ago(value),
    )


def _ago(value: datetime) -> str:
    if value > timezone.now():
        return f"in {timesince(timezone.now(), value, depth=1)}"
    text = timesince(value, depth=1)
    return "just now" if text.startswith("0\xa0minutes") else f"{text} ago"


@register.filter
def change_value(value: Any) -> str:
    """A timeline old/new value as text: related rows are stored as `{"id", "label"}`."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return str(value.get("label", value.get("id", "")))
    return str(value)


@register.filter
def changes_of(entry) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for a field or state change entry, in the order they were recorded.

    Templates loop over this instead of `changes.items`, which a field called "items" would shadow.
    """
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    rows = []
    for name, values in changes.items():
        values = values if isinstance(values, dict) else {}
        old, new = values.get("old"), values.get("new")
        if name == "state":
            old, new = state_label(old or ""), state_label(new or "")
        rows.append((name.replace("_", " "), old, new))
    return rows


@register.filter
def action_label(action: str) -> str:
    """A readable name for a dotted action code: `incident.major_declared` → `Incident major declared`."""
    return state_label(action.replace(".", " ")) if action else ""


@register.tag
def capture(parser: Parser, token: Token) -> "CaptureNode":
    """`{% capture as name %}…{% endcapture %}` renders its body once into a context variable.

    The base layout captures `{% block surface %}` with it, so a page names its surface once
    and the navigation can both style the active link and mark it `aria-current`.
    """
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as variable %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, variable: str) -> None:
        self.nodelist = nodelist
        self.variable = variable

    def render(self, context: Context) -> str:
        # The body was rendered with autoescaping; `strip()` drops the SafeString mark, so restore it
        # rather than escaping the page's own markup a second time.
        context[self.variable] = mark_safe(self.nodelist.render(context).strip())
        return ""
