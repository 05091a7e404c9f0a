"""The review queue (articles waiting for a reviewer, review tasks) and quality figures."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from knowledge import services
from knowledge.choices import ArticleState, ReviewTaskState
from knowledge.models import Article, ReviewTask
from knowledge.querysets import is_curator
from knowledge.services import figures
from knowledge.views.common import attempt, staff_required

LIMIT = 100


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """Knowledge managers: articles in review and every open review task. Owners: their tasks."""
    curator = is_curator(request.user)
    tasks = ReviewTask.objects.filter(state=ReviewTaskState.OPEN).select_related(
        "article", "assignee", "raised_by"
    )
    if not curator:
        tasks = tasks.filter(assignee=request.user)
    in_review = (
        Article.objects.visible_to(request.user)
        .filter(state=ArticleState.IN_REVIEW)
        .select_related("owner", "base")
        .order_by("submitted_at", "pk")
    )
    if not curator:
        in_review = in_review.filter(owner=request.user)
    return render(
        request,
        "knowledge/review.html",
        {"in_review": in_review[:LIMIT], "tasks": tasks.order_by("created_at")[:LIMIT], "curator": curator},
    )


@staff_required
@require_POST
def close_task(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(ReviewTask, pk=pk)
    outcome = request.POST.get("outcome", "")[:2000]
    attempt(
        request,
        lambda: services.close_review_task(task, actor=request.user, outcome=outcome),
        "Review task closed.",
    )
    return redirect("knowledge:review")


@staff_required
def quality(request: HttpRequest) -> HttpResponse:
    """Article quality for knowledge managers: states, attention lists, reuse and deflection."""
    if not is_curator(request.user):
        raise PermissionDenied
    return render(
        request,
        "knowledge/quality.html",
        {
            "states": figures.state_counts(),
            "lists": figures.attention_list(),
            "deflection": figures.deflection_figures(30),
            "reuse": figures.reuse_count(30),
            "open_tasks": figures.open_review_tasks(),
        },
    )
