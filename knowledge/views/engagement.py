"""Reader actions shared by the workspace and the portal: feedback, flags, deflection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from itsm.core import roles
from itsm.core.models import Task
from knowledge import services
from knowledge.choices import Audience
from knowledge.models import Article, ArticleUse
from knowledge.views.common import attempt, visible_article

SUGGESTIONS = 5


def _back(request: HttpRequest, article) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(article.get_portal_url())


@login_required
@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(request, pk, published_only=True)
    helpful = request.POST.get("helpful") == "yes"
    comment = request.POST.get("comment", "")[:2000]
    attempt(
        request,
        lambda: services.give_feedback(article, actor=request.user, helpful=helpful, comment=comment),
        "Thank you for your feedback.",
    )
    return _back(request, article)


@login_required
@require_POST
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(request, pk, published_only=True)
    comment = request.POST.get("comment", "")[:2000]
    attempt(
        request,
        lambda: services.flag_outdated(article, actor=request.user, comment=comment),
        "Thanks: the article's owner will review it.",
    )
    return _back(request, article)


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """htmx fragment: articles matching what someone is typing (the portal's report form)."""
    query = request.GET.get("title") or request.GET.get("q") or ""
    hits = (
        services.search_articles(request.user, query[:200], limit=SUGGESTIONS)
        if len(query.strip()) >= 3
        else []
    )
    return render(request, "knowledge/_suggestions.html", {"hits": hits, "query": query[:200]})


@login_required
@require_POST
def deflect(request: HttpRequest, pk: int) -> HttpResponse:
    """ "This solved my problem": recorded, and no ticket is raised."""
    article = visible_article(request, pk, published_only=True)
    query = request.POST.get("query", "")[:250]
    done = attempt(request, lambda: services.record_deflection(article, actor=request.user, query=query))
    if request.htmx:
        return render(request, "knowledge/_deflected.html", {"article": article, "ok": bool(done)})
    return render(request, "knowledge/portal/deflected.html", {"article": article})


@login_required
@require_GET
def for_task(request: HttpRequest, task_pk: int) -> HttpResponse:
    """htmx fragment on a record page: articles matching the record's title (agents only), each
    with "insert link" and "insert summary" for the reply box, and the articles already used."""
    task = _staff_task(request, task_pk)
    filters = services.Filters()
    hits = services.search_articles(request.user, task.title, filters=filters, limit=SUGGESTIONS)
    if not hits and task.service_id:
        hits = services.search_articles(
            request.user,
            task.service.name,
            filters=services.Filters(service=task.service_id),
            limit=SUGGESTIONS,
        )
    context = {"hits": hits, "task": task, "used": _used_on(request, task)}
    return render(request, "knowledge/_task_suggestions.html", context)


def _used_on(request: HttpRequest, task: Task):
    """The articles already used on the record (those the agent may read), oldest first."""
    readable = Article.objects.visible_to(request.user)
    return (
        ArticleUse.objects.filter(task_number=task.number, article__in=readable)
        .select_related("article")
        .order_by("created_at")
    )


@login_required
@require_POST
def use_on_task(request: HttpRequest, task_pk: int, pk: int) -> HttpResponse:
    """An agent puts an article into a reply on a record: it counts as used there (reuse figures,
    "articles used in resolutions"), and the text to insert is returned (JSON for the page's
    script; without script, a message with the text and back to the record)."""
    task = _staff_task(request, task_pk)
    article = visible_article(request, pk, published_only=True)
    done = attempt(
        request, lambda: services.record_article_use(article, actor=request.user, task_number=task.number)
    )
    text = reply_text(request, article, with_summary=request.POST.get("mode") == "summary")
    if "application/json" in request.headers.get("Accept", ""):
        if done is None:
            list(messages.get_messages(request))  # consumed: the JSON carries the outcome
            return JsonResponse({"error": "The article could not be used on this record."}, status=400)
        used = render_to_string("knowledge/_used_on.html", {"task": task, "used": _used_on(request, task)})
        answer = {"text": text, "number": article.number, "title": article.title, "used_html": used}
        return JsonResponse(answer)
    if done is not None:
        messages.success(request, f"{article.number} is used on {task.number}. Text for the reply: {text}")
    return redirect(task.get_absolute_url())


def reply_text(request: HttpRequest, article, *, with_summary: bool) -> str:
    """ "Title: link" (and the summary first when asked). Articles for everyone link to the
    portal page the requester can open; internal ones to the agent page (a work note)."""
    public = article.audience == Audience.EVERYONE
    link = request.build_absolute_uri(article.get_portal_url() if public else article.get_absolute_url())
    line = f"{article.title}: {link}"
    return f"{article.summary}\n\n{line}" if with_summary and article.summary else line


def _staff_task(request: HttpRequest, task_pk: int) -> Task:
    if not roles.is_staff_member(request.user):
        raise PermissionDenied
    return get_object_or_404(Task.objects.visible_to(request.user), pk=task_pk)
