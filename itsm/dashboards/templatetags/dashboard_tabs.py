"""The tab bar across every dashboard page: the overview, each registered practice, the register."""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from itsm.dashboards import registry

register = template.Library()

#: Query parameters the tabs carry from one dashboard to the next (the shared filters).
FILTER_PARAMS = ("period", "start", "end", "team", "service", "priority")


def optional_reverse(name: str, **kwargs) -> str | None:
    """A URL, or None when the app behind it is not installed (itsm/ never imports practices)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@register.inclusion_tag("dashboards/_tabs_bar.html", takes_context=True)
def dashboard_tabs(context) -> dict:
    request = context.get("request")
    params = {}
    if request is not None:
        params = {name: request.GET.get(name) for name in FILTER_PARAMS if request.GET.get(name)}
    query = f"?{urlencode(params)}" if params else ""
    path = request.path if request is not None else ""
    tabs = [("Service desk", reverse("dashboards:home"))]
    tabs += [(board.title, reverse("dashboards:practice", args=[board.key])) for board in registry.boards()]
    tabs = [(label, url + query, path == url) for label, url in tabs]
    register_url = optional_reverse("improvements:list")
    if register_url:
        tabs.append(("Improvements", register_url, path.startswith(register_url)))
    return {"tabs": tabs}


@register.simple_tag(takes_context=True)
def improve_url(context, metric: str, value) -> str:
    """'Start an improvement' from a figure outside the practice boards (e.g. the overview's)."""
    base = optional_reverse("improvements:create")
    request = context.get("request")
    if base is None or registry.metric_label(metric) is None or request is None:
        return ""
    params = {"metric": metric, "value": "" if value is None else value, "source": request.get_full_path()}
    return f"{base}?{urlencode(params)}"
