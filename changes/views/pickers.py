"""The htmx endpoints behind the change form's service and CI pickers (see `changes.pickers`)
and its assignee list (the members of the chosen assignment group)."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from changes.forms import assignees_of
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


@require_GET
@staff_required
def assignees(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the assignee select: the staff of `?assignment_group=` (all staff when it
    is empty), keeping `?assignee=` selected when that person is still in the list."""
    group = request.GET.get("assignment_group", "").strip()
    if group and not group.isdigit():
        return HttpResponseBadRequest("assignment_group must be a team id.")
    people = assignees_of(int(group) if group else None)
    selected = request.GET.get("assignee", "")
    context = {"people": people, "selected": int(selected) if selected.isdigit() else None}
    return render(request, "changes/_assignee_options.html", context)
