"""The change record page and its form posts (moves, edits, risk, tasks, review, links).

The page runs a fixed number of queries whatever the change's size: the record, then one
query each for the timeline, tasks, the CAB plan with its approvals, answers, links and scope.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from changes import services
from changes.forms import ChangeForm, ChangeTaskForm, MoveForm, NumberForm, OutcomeForm, ReviewForm, risk_form
from changes.models import ChangeRiskAnswer, ChangeTask, FollowUpAction, PostImplementationReview
from changes.services.common import is_change_manager
from changes.views.common import attempt, report_collisions, staff_required, visible_change
from changes.workflow import CHANGE_TASK_WORKFLOW, CHANGE_WORKFLOW, TASK_FINISHED
from itsm.approvals.models import Approval
from itsm.core.filtersets import MAX_ID

DONE_WORDS = {"start": "started", "complete": "completed", "skip": "skipped"}
#: Moves that take input, so the page shows a small form instead of a button.
MOVES_WITH_INPUT = {"complete", "cancel", "rework", "schedule"}


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_record(request, visible_change(request, pk))


def render_record(request: HttpRequest, change, *, status: int = 200, edit_form=None) -> HttpResponse:
    tasks = list(change.change_tasks.select_related("assignee", "assignment_group"))
    for task in tasks:
        # What the order guard reads, worked out from the list in hand (no query per task).
        task.__dict__["blocking_numbers"] = [
            other.number
            for other in tasks
            if task.order is not None
            and other.order is not None
            and other.order < task.order
            and other.state not in TASK_FINISHED
        ]
        task.moves = CHANGE_TASK_WORKFLOW.available(task)
    questions = services.questionnaire()
    answered = dict(ChangeRiskAnswer.objects.filter(change=change).values_list("question_id", "answer_id"))
    review = PostImplementationReview.objects.filter(change=change).prefetch_related("actions__owner").first()
    context = {
        "change": change,
        "moves": _moves(change, request.user),
        "moves_with_input": MOVES_WITH_INPUT,
        "state_label": CHANGE_WORKFLOW.label_of(change.state),
        "timeline": list(change.timeline.select_related("actor")),
        "tasks": tasks,
        "task_form": ChangeTaskForm(),
        "plan": change.cab_plan,
        "approvals": _approvals(change),
        "risk_form": risk_form(questions, initial=answered) if change.state in ("new", "assess") else None,
        "questions": questions,
        "evidence": change.risk_evidence or {},
        "review": review,
        "review_form": ReviewForm(initial=_review_initial(review)),
        "affected_services": list(change.affected_services.all()),
        "affected_cis": list(change.affected_cis.all()),
        "impact": services.impact_summary(change),
        "problems": services.fixed_problems(change),
        "incidents": services.caused_incidents(change),
        "edit_form": edit_form,
        "is_change_manager": is_change_manager(request.user),
    }
    return render(request, "changes/detail.html", context, status=status)


def _moves(change, user) -> list:
    """The moves the record allows now (guards checked); rework is the change manager's."""
    moves = CHANGE_WORKFLOW.available(change)
    return [move for move in moves if move.name != "rework" or is_change_manager(user)]


def _approvals(change) -> list[Approval]:
    plan = change.cab_plan
    if plan is None:
        return []
    rows = Approval.objects.filter(stage__plan=plan).select_related("approver", "stage")
    return list(rows.order_by("stage__position", "pk"))


def _review_initial(review) -> dict:
    if review is None:
        return {"objectives_met": True}
    return {
        "findings": review.findings,
        "lessons_learned": review.lessons_learned,
        "objectives_met": review.objectives_met,
    }


def _back(request: HttpRequest, change, ok: bool, status: int, anchor: str = "") -> HttpResponse:
    if ok:
        return redirect(change.get_absolute_url() + anchor)
    change.refresh_from_db()
    return render_record(request, change, status=status)


@staff_required
@require_POST
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    change = visible_change(request, pk)
    if name not in services.MOVES:
        raise Http404
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the form: " + "; ".join(" ".join(v) for v in form.errors.values()))
        return render_record(request, change, status=400)
    data, kwargs = form.cleaned_data, {"expected_version": form.cleaned_data["expected_version"]}
    if name == "complete":
        kwargs.update(close_code=data["close_code"], notes=data["notes"])
    elif name in ("cancel", "rework"):
        kwargs["reason"] = data["reason"]
    elif name == "schedule":
        kwargs["override_reason"] = data["override_reason"]
    label = CHANGE_WORKFLOW.transitions[name].label
    ok, status = attempt(
        request, lambda: services.MOVES[name](change, actor=request.user, **kwargs), f"{label}: done."
    )
    return _back(request, change, ok, status)


@staff_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the edit form (htmx swaps it into the page). POST: save through the service."""
    change = visible_change(request, pk)
    if request.method != "POST":
        form = ChangeForm(initial=_initial(change), standard=change.change_type == "standard")
        return render(request, "changes/_edit_form.html", {"change": change, "edit_form": form})
    form = ChangeForm(request.POST, standard=change.change_type == "standard")
    if not form.is_valid():
        return render_record(request, change, status=400, edit_form=form)
    values = form.values()
    changed = {name: value for name, value in values.items() if _differs(change, name, value)}
    ok, status = attempt(
        request,
        lambda: services.update_change(
            change,
            actor=request.user,
            changes=changed,
            expected_version=form.cleaned_data["expected_version"],
        ),
        "Saved.",
    )
    if ok:
        change.refresh_from_db()
        change._prefetched_objects_cache = {}  # the scope as just saved
        checked = report_collisions(request, change, changed)
        return redirect(change.get_absolute_url() + ("#schedule-panel" if checked else ""))
    change.refresh_from_db()
    return render_record(request, change, status=status, edit_form=form)


def _initial(change) -> dict:
    initial = {name: getattr(change, name) for name in ChangeForm.base_fields if hasattr(change, name)}
    initial["affected_services"] = list(change.affected_services.all())
    initial["affected_cis"] = list(change.affected_cis.all())
    initial["expected_version"] = change.version
    return initial


def _differs(change, name: str, value) -> bool:
    if name in ("affected_services", "affected_cis"):
        return {o.pk for o in getattr(change, name).all()} != {o.pk for o in value}
    return getattr(change, name) != value


@staff_required
@require_POST
def risk(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_change(request, pk)
    form = risk_form(services.questionnaire(), data=request.POST)
    if not form.is_valid():
        messages.error(request, "Answer every question of the risk assessment.")
        return render_record(request, change, status=400)
    answers = {int(name[1:]): value for name, value in form.cleaned_data.items()}
    ok, status = attempt(
        request, lambda: services.assess_risk(change, actor=request.user, answers=answers), "Risk assessed."
    )
    return _back(request, change, ok, status, "#risk")


@staff_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_change(request, pk)
    form = ChangeTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the task a title and a type (and an order from 1 to 999, if any).")
        return render_record(request, change, status=400)
    ok, status = attempt(
        request,
        lambda: services.create_change_task(change, actor=request.user, **form.cleaned_data),
        "Task added.",
    )
    return _back(request, change, ok, status, "#tasks")


@staff_required
@require_POST
def move_task(request: HttpRequest, pk: int, task_pk: int, name: str) -> HttpResponse:
    change = visible_change(request, pk)
    if task_pk > MAX_ID or name not in CHANGE_TASK_WORKFLOW.transitions:
        raise Http404
    task = get_object_or_404(ChangeTask, pk=task_pk, parent_change=change)
    form = OutcomeForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    ok, status = attempt(
        request,
        lambda: services.move_change_task(task, name, actor=request.user, outcome=outcome),
        f"{task.number}: {DONE_WORDS[name]}.",
    )
    return _back(request, change, ok, status, "#tasks")


@staff_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    change = visible_change(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the review's findings.")
        return render_record(request, change, status=400)
    data = form.cleaned_data
    actions = []
    if data["action"].strip():
        actions.append(services.ActionSpec(data["action"], data["action_owner"], data["action_due"]))
    ok, status = attempt(
        request,
        lambda: services.record_review(
            change,
            actor=request.user,
            findings=data["findings"],
            lessons_learned=data["lessons_learned"],
            objectives_met=data["objectives_met"],
            actions=actions,
        ),
        "Review saved.",
    )
    return _back(request, change, ok, status, "#review")


@staff_required
@require_POST
def complete_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    change = visible_change(request, pk)
    if action_pk > MAX_ID:
        raise Http404
    action = get_object_or_404(FollowUpAction, pk=action_pk, review__change=change)
    ok, status = attempt(
        request, lambda: services.complete_follow_up(action, actor=request.user), "Action done."
    )
    return _back(request, change, ok, status, "#review")


@staff_required
@require_POST
def link(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Link an incident this change caused, or a problem it fixes."""
    change = visible_change(request, pk)
    linkers = {"incident": services.link_caused_incident, "problem": services.link_fixed_problem}
    if kind not in linkers:
        raise Http404
    form = NumberForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Give the {kind}'s number.")
        return render_record(request, change, status=400)
    number = form.cleaned_data["number"].strip().upper()
    ok, status = attempt(
        request, lambda: linkers[kind](change, actor=request.user, number=number), f"{number} linked."
    )
    return _back(request, change, ok, status, "#links")
