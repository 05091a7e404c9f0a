"""The type-ahead behind person and configuration-item variables: an htmx fragment of radio
buttons (keyboard-reachable with Tab and the arrow keys, large enough to tap on a phone) for
what has been typed, keeping the current choice on top. The scope is the one the forms engine
checks on submission (`catalog.lookups`), so only what could be accepted is ever suggested."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog import services
from catalog.forms_engine import LOOKUP_TYPES
from catalog.lookups import LookupScope, scope_for
from catalog.views.common import visible_item

SEARCH_PREFIX = "lookup-"


@login_required
@require_GET
def lookup(request: HttpRequest, slug: str, variable: str) -> HttpResponse:
    entry = visible_item(request, slug)
    version = entry.current_version or services.publish_item(entry, actor=None)
    definition = next(
        (d for d in version.variables if d["name"] == variable and d["type"] in LOOKUP_TYPES), None
    )
    if definition is None:
        raise Http404
    scope = scope_for(request.user, version.snapshot)
    typed = request.GET.get(SEARCH_PREFIX + variable, "")
    context = options_context(definition, scope, typed, request.GET.get(variable))
    return render(request, "catalog/_lookup_options.html", context)


def options_context(definition: dict, scope: LookupScope, typed: str, chosen: str | None) -> dict:
    """What `_lookup_options.html` shows: the chosen option (if still pickable) and the matches."""
    selected = chosen_option(definition, scope, chosen)
    options = scope.search(definition["type"], typed)
    if selected is not None:
        options = [o for o in options if o["id"] != selected["id"]]
    return {"field": definition, "selected": selected, "options": options, "typed": typed.strip()}


def chosen_option(definition: dict, scope: LookupScope, chosen) -> dict | None:
    if isinstance(chosen, list):
        chosen = chosen[0] if chosen else None
    try:
        pk = int(chosen)
    except (TypeError, ValueError):
        return None
    return scope.chosen(definition["type"], pk) if 0 < pk < 2**63 else None
