"""What the incident pages load from the problem practice: known-error suggestions on the record
page (an htmx fragment, so the incident views need no change), linking from the incident with one
click, and linking a queue selection in bulk."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from itsm.core.choices import TaskKind
from itsm.core.filtersets import MAX_ID
from itsm.core.models import Task
from problems import services
from problems.forms import LinkFromIncidentForm
from problems.models import Problem, linked_problem_of
from problems.views.common import attempt, staff_required


def _incident(request: HttpRequest, pk: int) -> Task:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(Task.objects.visible_to(request.user), pk=pk, kind=TaskKind.INCIDENT)


@staff_required
def suggestions(request: HttpRequest, incident_pk: int) -> HttpResponse:
    """The known-error card's body for one incident."""
    incident = _incident(request, incident_pk)
    context = {
        "incident": incident,
        "suggestions": services.suggest_known_errors(incident),
        "linked_problem": linked_problem_of(incident.pk),
    }
    return render(request, "problems/_suggestions.html", context)


@staff_required
@require_POST
def link_from_incident(request: HttpRequest, incident_pk: int) -> HttpResponse:
    incident = _incident(request, incident_pk)
    form = LinkFromIncidentForm(request.POST)
    if not form.is_valid():
        raise Http404
    problem = get_object_or_404(Problem.objects.visible_to(request.user), pk=form.cleaned_data["problem"])
    outcomes = []
    ok, status = attempt(
        request, lambda: outcomes.extend(services.link_incidents(problem, [incident], actor=request.user)), ""
    )
    if ok and outcomes:
        (messages.success if outcomes[0].ok else messages.warning)(
            request, f"{incident.number}: {outcomes[0].message}"
        )
        status = 200 if outcomes[0].ok else 409
    if request.htmx:
        return HttpResponse(status=status, headers={"HX-Redirect": incident.get_absolute_url()})
    return (
        redirect(incident.get_absolute_url())
        if status == 200
        else HttpResponse(
            outcomes[0].message if outcomes else "Not linked.", status=status, content_type="text/plain"
        )
    )


@staff_required
@require_POST
def bulk_link(request: HttpRequest) -> HttpResponse:
    """Link the incidents selected on a queue to one problem (by number); each row is reported."""
    number = request.POST.get("problem", "").strip().upper()
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and 0 < int(v) <= MAX_ID][:500]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/incidents/"
    problem = Problem.objects.visible_to(request.user).filter(number=number).first()
    if problem is None or not ids:
        messages.error(request, "Choose incidents and give the number of an existing problem (PRB…).")
        return redirect(back)
    incidents = list(
        Task.objects.visible_to(request.user).filter(pk__in=ids, kind=TaskKind.INCIDENT).order_by("pk")
    )
    outcomes = []
    attempt(
        request, lambda: outcomes.extend(services.link_incidents(problem, incidents, actor=request.user)), ""
    )
    linked = sum(1 for o in outcomes if o.ok)
    messages.success(request, f"{linked} incident{'s' if linked != 1 else ''} linked to {problem.number}.")
    for outcome in outcomes:
        if not outcome.ok:
            messages.warning(request, f"{outcome.number}: {outcome.message}")
    return redirect(back)
