"""The portal's knowledge section: search, browse by base and category, read, give feedback."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from knowledge import services
from knowledge.models import Article, Category, KnowledgeBase
from knowledge.views.common import search_from, visible_article

RESULT_LIMIT = 20
BROWSE_LIMIT = 100


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form, query, filters = search_from(request)
    hits = services.search_articles(request.user, query, filters=filters, limit=RESULT_LIMIT) if query else []
    context = {"form": form, "query": query, "hits": hits, "portal": True}
    if request.htmx:
        return render(request, "knowledge/_results.html", context)
    bases = KnowledgeBase.objects.visible_to(request.user).prefetch_related("categories")
    popular = (
        Article.objects.visible_to(request.user)
        .published()
        .select_related("base")
        .order_by("-view_count", "pk")[:8]
    )
    return render(request, "knowledge/portal/search.html", {**context, "bases": bases, "popular": popular})


@login_required
def browse(request: HttpRequest, slug: str, category: str | None = None) -> HttpResponse:
    base = get_object_or_404(KnowledgeBase.objects.visible_to(request.user), slug=slug)
    shelf = get_object_or_404(Category, base=base, slug=category) if category else None
    articles = (
        Article.objects.visible_to(request.user).published().filter(base=base).select_related("category")
    )
    if shelf:
        articles = articles.filter(category=shelf)
    return render(
        request,
        "knowledge/portal/browse.html",
        {
            "base": base,
            "shelf": shelf,
            "categories": base.categories.all(),
            "articles": articles.order_by("category__order", "title")[:BROWSE_LIMIT],
        },
    )


@login_required
def article(request: HttpRequest, pk: int) -> HttpResponse:
    item = visible_article(request, pk, published_only=True)
    services.record_view(item)
    return render(
        request,
        "knowledge/portal/article.html",
        {
            "article": item,
            "attachments": [a for a in item.attachments.all() if not a.is_image],
            "from_report": request.GET.get("from") == "report",
        },
    )
