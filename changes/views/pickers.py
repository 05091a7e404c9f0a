"""The htmx endpoint behind the change form's service and CI pickers (see `changes.pickers`)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from changes.pickers import KINDS, LIMIT, search
from changes.views.common import staff_required


@require_GET
@staff_required
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """Matches for `?<field>_search=` (or `?q=`) as checkboxes named after the form field."""
    if kind not in KINDS:
        raise Http404
    field = KINDS[kind][2]
    query = request.GET.get(f"{field}_search", request.GET.get("q", ""))
    context = {
        "items": search(kind, query),
        "query": query.strip()[:200],
        "too_short": len(query.strip()) < 2,
        "field": field,
        "limit": LIMIT,
    }
    return render(request, "changes/_pick_results.html", context)
