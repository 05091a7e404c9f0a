"""Agent pages: search and browse, write and edit articles."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from itsm.core.models import Task
from knowledge import services
from knowledge.forms import ArticleForm
from knowledge.models import Article, KnowledgeBase
from knowledge.querysets import is_curator
from knowledge.views.common import attempt, error_text, expected, search_from, staff_required, visible_article

RESULT_LIMIT = 20
LIST_LIMIT = 50


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Search (htmx refreshes the results as one types), filters, my drafts, latest articles."""
    form, query, filters = search_from(request)
    hits = services.search_articles(request.user, query, filters=filters, limit=RESULT_LIMIT) if query else []
    context = {"form": form, "query": query, "hits": hits, "curator": is_curator(request.user)}
    if request.htmx:
        return render(request, "knowledge/_results.html", context)
    visible = Article.objects.visible_to(request.user).select_related("base", "owner")
    context.update(
        mine=visible.filter(owner=request.user).exclude(state="retired").order_by("-updated_at")[:LIST_LIMIT],
        latest=visible.published().order_by("-published_at", "-pk")[:10],
        bases=KnowledgeBase.objects.visible_to(request.user).prefetch_related("categories"),
    )
    return render(request, "knowledge/home.html", context)


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_arguments()
        article = attempt(
            request, lambda: services.create_article(actor=request.user, **data), "Draft saved."
        )
        if article:
            return redirect(article.get_absolute_url())
    return render(
        request, "knowledge/edit.html", {"form": form, "article": None}, status=400 if form.errors else 200
    )


@staff_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(request, pk)
    form = ArticleForm(request.POST or None, instance=Article.objects.get(pk=article.pk))
    if request.method == "POST" and form.is_valid():
        changes = form.service_arguments()
        note = request.POST.get("note", "")[:250]
        done = attempt(
            request,
            lambda: services.update_article(
                article, actor=request.user, changes=changes, expected_version=expected(request), note=note
            ),
            "Article saved.",
        )
        if done:
            return redirect(article.get_absolute_url())
    return render(request, "knowledge/edit.html", {"form": form, "article": article})


@staff_required
@require_POST
def from_task(request: HttpRequest, task_pk: int) -> HttpResponse:
    """ "Create article" on a resolved incident: a pre-filled draft, opened in the editor."""
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=task_pk)
    try:
        article = services.draft_from_task(task, actor=request.user)
    except Exception as error:  # noqa: BLE001 - a DomainError or ValidationError, shown as a message
        messages.error(request, error_text(error))
        return redirect(task.get_absolute_url())
    messages.success(
        request, f"Draft {article.number} created from {task.number}: edit it and send it for review."
    )
    return redirect("knowledge:edit", pk=article.pk)


@staff_required
@require_POST
def from_known_error(request: HttpRequest, task_pk: int) -> HttpResponse:
    """ "Publish as article" on a known error: the problem practice's hook writes an agent-only
    article with the root cause and workaround and sends it to review."""
    import problems.services as problem_services

    task = get_object_or_404(Task.objects.visible_to(request.user), pk=task_pk, kind="problem")
    article = attempt(
        request, lambda: problem_services.publish_known_error_article(task.problem, actor=request.user)
    )
    if article is None:
        return redirect(task.get_absolute_url())
    messages.success(request, f"{article.number} written from {task.number} and sent for review.")
    return redirect("knowledge:article", pk=article.pk)
