"""The article page for agents: text, lifecycle moves, versions and diffs, files, feedback."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from knowledge import markdown, services
from knowledge.diffs import diff_versions
from knowledge.models import ArticleVersion
from knowledge.querysets import is_curator
from knowledge.services.common import may_edit
from knowledge.views.common import attempt, expected, staff_required, visible_article
from knowledge.workflow import ARTICLE_WORKFLOW, REVIEWER_MOVES


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(request, pk)
    if article.state == "published":
        services.record_view(article)
    curator = is_curator(request.user)
    moves = [
        move
        for move in ARTICLE_WORKFLOW.available(article)
        if (move.name in REVIEWER_MOVES and curator)
        or (move.name not in REVIEWER_MOVES and may_edit(article, request.user))
        or (move.name == "submit" and article.owner_id == request.user.pk)
    ]
    return render(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "moves": moves,
            "can_edit": may_edit(article, request.user),
            "curator": curator,
            "versions": article.versions.select_related("author")[:50],
            "events": article.events.select_related("actor")[:30],
            "attachments": article.attachments.all(),
            "tags": article.tags.all(),
            "services_list": article.services.all(),
            "teams": article.teams.all(),
            "open_tasks": article.review_tasks.filter(state="open").select_related("assignee"),
            "feedback": article.feedback.exclude(comment="").select_related("user")[:10] if curator else [],
        },
    )


@staff_required
@require_POST
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    article = visible_article(request, pk)
    comment = request.POST.get("comment", "")[:5000]
    label = ARTICLE_WORKFLOW.transitions[name].label if name in ARTICLE_WORKFLOW.transitions else name
    attempt(
        request,
        lambda: services.move_article(
            article, name, actor=request.user, comment=comment, expected_version=expected(request)
        ),
        f"{label}: done.",
    )
    return redirect(article.get_absolute_url())


@staff_required
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = visible_article(request, pk)
    shown = get_object_or_404(ArticleVersion.objects.select_related("author"), article=article, number=number)
    return render(
        request,
        "knowledge/version.html",
        {
            "article": article,
            "shown": shown,
            "body_html": markdown.render(shown.body),
            "curator": is_curator(request.user),
        },
    )


@staff_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions side by side as a line diff (`?from=1&to=3`; defaults: the last two)."""
    article = visible_article(request, pk)
    numbers = list(article.versions.values_list("number", flat=True))
    if len(numbers) < 2:
        messages.info(request, "There is only one version so far.")
        return redirect(article.get_absolute_url())
    old_n, new_n = _numbers(request, numbers)
    versions = {
        v.number: v for v in article.versions.filter(number__in=[old_n, new_n]).select_related("author")
    }
    if old_n not in versions or new_n not in versions:
        raise Http404
    return render(
        request,
        "knowledge/compare.html",
        {
            "article": article,
            "old": versions[old_n],
            "new": versions[new_n],
            "numbers": numbers,
            "diff": diff_versions(versions[old_n], versions[new_n]),
        },
    )


@staff_required
@require_POST
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    article = visible_article(request, pk)
    attempt(
        request,
        lambda: services.restore_version(
            article, number, actor=request.user, expected_version=expected(request)
        ),
        f"Version {number} restored as a new version.",
    )
    return redirect(article.get_absolute_url())


@staff_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    article = visible_article(request, pk)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        messages.error(request, "Choose a file to upload.")
    else:
        attempt(
            request,
            lambda: services.add_article_attachment(article, upload_file, actor=request.user),
            f"{upload_file.name} added.",
        )
    return redirect(article.get_absolute_url())


def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Files of articles the user can read: images inline (for the article), the rest as downloads;
    never sniffed, sandboxed."""
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    article = visible_article(request, pk)
    item = get_object_or_404(article.attachments, pk=attachment_pk)
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not item.is_image,
        filename=item.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _numbers(request: HttpRequest, numbers: list[int]) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and len(value) < 9 else default

    return number("from", numbers[1]), number("to", numbers[0])
