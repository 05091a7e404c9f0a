"""Problem queues, the new-problem form and the candidates queue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from itsm.core.exceptions import DomainError
from problems import services
from problems.filtersets import ProblemFilterSet
from problems.forms import DismissForm, ProblemForm
from problems.models import Candidate, Problem
from problems.services.common import is_problem_manager, parse_numbers
from problems.views.common import attempt, error_text, staff_required

PAGE_SIZE = 50
QUEUES = {
    "open": ("Open problems", {"state_category__in": ["new", "open", "pending"]}),
    "mine": ("Assigned to me", None),
    "known-errors": ("Known errors", {"known_error": True}),
    "resolved": ("Resolved", {"state_category": "resolved"}),
    "all": ("All problems", {}),
}


@staff_required
def queue(request: HttpRequest, slug: str = "open") -> HttpResponse:
    if slug not in QUEUES:
        raise Http404
    title, condition = QUEUES[slug]
    rows = Problem.objects.visible_to(request.user).with_incident_counts()
    rows = rows.filter(assignee=request.user) if condition is None else rows.filter(**condition)
    filterset = ProblemFilterSet(
        request.GET, queryset=rows.select_related("assignee", "assignment_group", "service")
    )
    if not filterset.is_valid():
        return render(
            request,
            "problems/queue.html",
            {"errors": filterset.errors, "queues": QUEUES, "slug": slug, "title": title},
            status=400,
        )
    page = Paginator(filterset.qs.order_by("priority", "-opened_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "queues": QUEUES,
        "slug": slug,
        "title": title,
        "q": request.GET.get("q", ""),
        "candidates_waiting": Candidate.objects.proposed().count(),
    }
    return render(request, "problems/queue.html", context)


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    form = ProblemForm(request.POST or None, initial={"incidents": request.GET.get("incidents", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        numbers = parse_numbers(data.pop("incidents"))
        try:
            problem = services.create_problem(actor=request.user, **data)
        except (ValidationError, DomainError) as error:
            form.add_error(None, error_text(error))
            status = 400
        else:
            if numbers:
                outcomes = services.link_incident_numbers(problem, numbers, actor=request.user)
                for outcome in outcomes:
                    (messages.success if outcome.ok else messages.warning)(
                        request, f"{outcome.number}: {outcome.message}"
                    )
            messages.success(request, f"{problem.number} raised.")
            return redirect(problem.get_absolute_url())
    elif request.method == "POST":
        status = 400
    return render(request, "problems/create.html", {"form": form}, status=status)


@staff_required
def candidates(request: HttpRequest) -> HttpResponse:
    """Proposed problems, best first; problem managers accept or dismiss, agents may look."""
    rows = (
        Candidate.objects.proposed()
        .select_related("service", "configuration_item")
        .order_by("-confidence", "-size", "-pk")
    )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    members = {}
    through = Candidate.members.through.objects.filter(candidate__in=[c.pk for c in page]).select_related(
        "task"
    )
    for row in through.order_by("task__opened_at"):
        members.setdefault(row.candidate_id, []).append(row.task)
    for candidate in page:
        candidate.member_rows = members.get(candidate.pk, [])
    context = {"page": page, "can_decide": is_problem_manager(request.user)}
    return render(request, "problems/candidates.html", context)


@staff_required
@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    if decision == "accept":
        created = {}
        ok, status = attempt(
            request,
            lambda: created.update(
                problem=services.accept_candidate(
                    candidate, actor=request.user, title=request.POST.get("title", "")
                )
            ),
            "",
        )
        if ok:
            problem = created["problem"]
            messages.success(request, f"{problem.number} raised with {candidate.size} incidents linked.")
            return redirect(problem.get_absolute_url())
    elif decision == "dismiss":
        form = DismissForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        ok, status = attempt(
            request,
            lambda: services.dismiss_candidate(candidate, actor=request.user, reason=reason),
            "Dismissed: this cluster will not be proposed again.",
        )
    else:
        raise Http404
    if ok:
        return redirect("problem:candidates")
    response = candidates(request)
    response.status_code = status
    return response
