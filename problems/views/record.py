"""The problem record page and its form posts (moves, RCA, workaround, links, tasks).

The page runs a fixed number of queries whatever the problem's size: the record, then one
query each for the timeline, linked incidents, problem tasks, the fix change and affected CIs.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from itsm.core.filtersets import MAX_ID
from problems import services
from problems.forms import (
    ChangeForm,
    MoveForm,
    NumbersForm,
    ProblemTaskForm,
    RCAForm,
    TaskMoveForm,
    WorkaroundForm,
)
from problems.models import ProblemTask
from problems.views.common import attempt, staff_required, visible_problem
from problems.workflow import PROBLEM_TASK_WORKFLOW, PROBLEM_WORKFLOW

DONE_WORDS = {"start": "started", "complete": "completed", "cancel": "cancelled"}
#: Linked incidents listed on the page (a problem may collect hundreds).
INCIDENTS_SHOWN = 100


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_record(request, visible_problem(request, pk))


def render_record(request: HttpRequest, problem, *, status: int = 200, rca_form=None) -> HttpResponse:
    incidents = list(
        problem.linked_incidents()
        .select_related("assignee")
        .order_by("opened_at", "pk")[: INCIDENTS_SHOWN + 1]
    )
    tasks = list(problem.problem_tasks.select_related("assignee", "assignment_group"))
    for task in tasks:
        task.moves = PROBLEM_TASK_WORKFLOW.available(task)
    context = {
        "problem": problem,
        "moves": [m for m in PROBLEM_WORKFLOW.transitions.values() if problem.state in m.sources],
        "timeline": list(problem.timeline.select_related("actor")),
        "incidents": incidents[:INCIDENTS_SHOWN],
        "more_incidents": len(incidents) > INCIDENTS_SHOWN,
        "open_incidents": sum(1 for i in incidents if i.is_active),
        "tasks": tasks,
        "fix_change": problem.fix_change(),
        "affected_cis": list(problem.affected_cis.all()),
        "rca_form": rca_form or _rca_form(problem),
        "whys": problem.five_whys,
        "task_form": ProblemTaskForm(),
        "state_label": PROBLEM_WORKFLOW.label_of(problem.state),
        "knowledge_available": services.knowledge_publishing_available(),
    }
    return render(request, "problems/detail.html", context, status=status)


def _rca_form(problem) -> RCAForm:
    initial = {
        "symptoms": problem.symptoms,
        "root_cause": problem.root_cause,
        "contributing_factors": problem.contributing_factors,
        "expected_version": problem.version,
    }
    for n, answer in enumerate(problem.five_whys[:5], start=1):
        initial[f"why_{n}"] = answer
    return RCAForm(initial=initial)


def _back(request: HttpRequest, problem, ok: bool, status: int, anchor: str = "") -> HttpResponse:
    if ok:
        return redirect(problem.get_absolute_url() + anchor)
    problem.refresh_from_db()
    return render_record(request, problem, status=status)


@staff_required
@require_POST
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    problem = visible_problem(request, pk)
    if name not in services.MOVES:
        raise Http404
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Check the form: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        )
        return render_record(request, problem, status=400)
    data, kwargs = form.cleaned_data, {"expected_version": form.cleaned_data["expected_version"]}
    if name == "resolve":
        kwargs.update(resolution_code=data["resolution_code"], notes=data["notes"])
    elif name in ("close", "cancel", "reopen"):
        kwargs["reason"] = data["reason"]
    label = PROBLEM_WORKFLOW.transitions[name].label
    ok, status = attempt(
        request, lambda: services.MOVES[name](problem, actor=request.user, **kwargs), f"{label}: done."
    )
    return _back(request, problem, ok, status)


@staff_required
def rca(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the analysis form (htmx swaps it into the card). POST: save it."""
    problem = visible_problem(request, pk)
    if request.method != "POST":
        return render(
            request, "problems/_rca_form.html", {"problem": problem, "rca_form": _rca_form(problem)}
        )
    form = RCAForm(request.POST)
    if not form.is_valid():
        return _rca_response(request, problem, form, 400)
    ok, status = attempt(
        request,
        lambda: services.update_rca(
            problem,
            actor=request.user,
            changes=form.changes(),
            expected_version=form.cleaned_data["expected_version"],
        ),
        "Root-cause analysis saved.",
    )
    problem.refresh_from_db()
    if request.htmx and ok:
        # Reload the whole page: every other form on it carries the record's version, now stale,
        # and the known-error flag may have changed.
        # (HX-Refresh, not HX-Redirect: a redirect to the same page with only a #fragment
        # added would scroll, not reload.)
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    if request.htmx:
        return _rca_response(request, problem, form, status)
    return _back(request, problem, ok, status, "#rca")


def _rca_response(request, problem, form, status) -> HttpResponse:
    template = "problems/_rca_form.html" if form is not None else "problems/_rca.html"
    context = {"problem": problem, "rca_form": form, "whys": problem.five_whys}
    return render(request, template, context, status=status)


@staff_required
@require_POST
def workaround(request: HttpRequest, pk: int) -> HttpResponse:
    problem = visible_problem(request, pk)
    form = WorkaroundForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Describe the workaround: what gets users going again.")
        return render_record(request, problem, status=400)
    ok, status = attempt(
        request,
        lambda: services.publish_workaround(
            problem,
            actor=request.user,
            workaround=form.cleaned_data["workaround"],
            expected_version=form.cleaned_data["expected_version"],
        ),
        "Workaround published; open linked incidents got a work note with it.",
    )
    return _back(request, problem, ok, status, "#workaround")


@staff_required
@require_POST
def link_incidents(request: HttpRequest, pk: int) -> HttpResponse:
    problem = visible_problem(request, pk)
    form = NumbersForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give at least one incident number.")
        return render_record(request, problem, status=400)
    outcomes = []
    ok, status = attempt(
        request,
        lambda: outcomes.extend(
            services.link_incident_numbers(
                problem, services.parse_numbers(form.cleaned_data["numbers"]), actor=request.user
            )
        ),
        "",
    )
    for outcome in outcomes:
        (messages.success if outcome.ok else messages.warning)(
            request, f"{outcome.number}: {outcome.message}"
        )
    if outcomes and not any(o.ok for o in outcomes):
        return render_record(request, problem, status=400)
    return _back(request, problem, ok, status, "#incidents")


@staff_required
@require_POST
def unlink_incident(request: HttpRequest, pk: int, incident_pk: int) -> HttpResponse:
    problem = visible_problem(request, pk)
    incident = (
        get_object_or_404(problem.linked_incidents(), pk=incident_pk) if incident_pk <= MAX_ID else None
    )
    if incident is None:
        raise Http404
    ok, status = attempt(
        request,
        lambda: services.unlink_incident(problem, incident, actor=request.user),
        f"{incident.number} unlinked.",
    )
    return _back(request, problem, ok, status, "#incidents")


@staff_required
@require_POST
def resolve_incidents(request: HttpRequest, pk: int) -> HttpResponse:
    problem = visible_problem(request, pk)
    outcomes = []
    ok, status = attempt(
        request,
        lambda: outcomes.extend(
            services.resolve_linked_incidents(
                problem, actor=request.user, notes=request.POST.get("notes", "")[:20_000]
            )
        ),
        "",
    )
    done = sum(1 for o in outcomes if o.ok)
    if ok:
        messages.success(request, f"{done} incident{'s' if done != 1 else ''} resolved.")
    for outcome in outcomes:
        if not outcome.ok:
            messages.warning(request, f"{outcome.number}: {outcome.message}")
    return _back(request, problem, ok, status, "#incidents")


@staff_required
@require_POST
def fix_change(request: HttpRequest, pk: int) -> HttpResponse:
    problem = visible_problem(request, pk)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the change's number.")
        return render_record(request, problem, status=400)
    number = form.cleaned_data["change"]
    ok, status = attempt(
        request,
        lambda: services.set_fix_change(problem, actor=request.user, number=number),
        f"{number.upper()} linked as the fix.",
    )
    return _back(request, problem, ok, status)


@staff_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    problem = visible_problem(request, pk)
    form = ProblemTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the task a title and a type.")
        return render_record(request, problem, status=400)
    ok, status = attempt(
        request,
        lambda: services.create_problem_task(problem, actor=request.user, **form.cleaned_data),
        "Task added.",
    )
    return _back(request, problem, ok, status, "#tasks")


@staff_required
@require_POST
def move_task(request: HttpRequest, pk: int, task_pk: int, name: str) -> HttpResponse:
    problem = visible_problem(request, pk)
    if task_pk > MAX_ID or name not in PROBLEM_TASK_WORKFLOW.transitions:
        raise Http404
    task = get_object_or_404(ProblemTask, pk=task_pk, parent_problem=problem)
    form = TaskMoveForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    ok, status = attempt(
        request,
        lambda: services.move_problem_task(task, name, actor=request.user, outcome=outcome),
        f"{task.number}: {DONE_WORDS[name]}.",
    )
    return _back(request, problem, ok, status, "#tasks")
