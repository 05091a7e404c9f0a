"""The knowledge management dashboard, registered with `itsm.dashboards.registry`.

Definitions:
- *deflection rate*: times a requester said an article solved their issue instead of raising a
  ticket, over those plus incidents and requests opened in the period (the same team and
  service filters apply to both sides);
- *used in resolutions*: an agent resolved or answered a ticket with the article in the period;
- *flagged*: open review tasks raised because a reader flagged the article as outdated;
- *most viewed / most helpful*: the articles' running counters (views and votes are not dated).

Articles are not tasks: the team filter means articles owned by a member of the team, the
service filter articles about the service; priority does not apply to articles.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from itsm.core.choices import TaskKind
from itsm.core.models import Task
from itsm.dashboards import registry
from knowledge.choices import ArticleState, ReviewTaskReason, ReviewTaskState
from knowledge.models import Article, ArticleUse, Deflection, ReviewTask

TOP = 10
TICKET_KINDS = [TaskKind.INCIDENT, TaskKind.REQUEST]
ARTICLE_COLUMNS = (
    ("Number", "number"),
    ("Title", "title"),
    ("State", "state"),
    ("Owner", "owner__username"),
    ("Views", "view_count"),
    ("Helpful", "helpful_count"),
    ("Not helpful", "not_helpful_count"),
)


def _articles(scope):
    articles = Article.objects.visible_to(scope.user)
    if scope.teams:
        articles = articles.filter(owner__teams__in=scope.teams).distinct()
    if scope.service:
        through = Article.services.through
        articles = articles.filter(
            Exists(through.objects.filter(article_id=OuterRef("pk"), service_id=scope.service))
        )
    return articles


def _scoped_ids(scope):
    """The visible, filtered articles as a subquery (keeps the joins out of the counting queries)."""
    return _articles(scope).values("pk")


def _open_flags():
    return Q(reason=ReviewTaskReason.FLAGGED_OUTDATED, state=ReviewTaskState.OPEN)


def build(scope) -> registry.Board:
    ids = _scoped_ids(scope)
    deflections = Deflection.objects.filter(
        article_id__in=ids, **registry.in_period("created_at", scope)
    ).count()
    tickets = registry.narrow(
        Task.objects.visible_to(scope.user).filter(
            kind__in=TICKET_KINDS, **registry.in_period("opened_at", scope)
        ),
        scope,
        priority=None,
    ).count()
    uses = ArticleUse.objects.filter(article_id__in=ids, **registry.in_period("created_at", scope))
    used = uses.aggregate(total=Count("pk"), articles=Count("article_id", distinct=True))
    top_used = (
        uses.values("article_id", "article__number", "article__title")
        .annotate(total=Count("pk"))
        .order_by("-total", "article__number")[:TOP]
    )
    flagged = (
        Article.objects.filter(pk__in=ids)
        .annotate(
            flags=Count(
                "review_tasks",
                filter=Q(
                    review_tasks__reason=ReviewTaskReason.FLAGGED_OUTDATED,
                    review_tasks__state=ReviewTaskState.OPEN,
                ),
            )
        )
        .filter(flags__gt=0)
        .order_by("-flags", "number")
        .values("pk", "number", "title", "flags")[:TOP]
    )
    flagged_total = (
        Article.objects.filter(pk__in=ids)
        .filter(Exists(ReviewTask.objects.filter(_open_flags(), article_id=OuterRef("pk"))))
        .count()
    )
    published = Article.objects.filter(pk__in=ids, state=ArticleState.PUBLISHED)
    viewed = (
        published.filter(view_count__gt=0)
        .order_by("-view_count", "number")
        .values("pk", "number", "title", "view_count")[:TOP]
    )
    helpful = (
        published.filter(helpful_count__gt=0)
        .order_by("-helpful_count", "not_helpful_count", "number")
        .values("pk", "number", "title", "helpful_count", "not_helpful_count")[:TOP]
    )
    rate = registry.percent(deflections, deflections + tickets)
    figures = [
        registry.Figure(
            "deflection_rate",
            "Deflection rate",
            "—" if rate is None else f"{rate} %",
            f"{deflections} solved by an article vs {tickets} tickets raised",
            "deflections",
            colour="teal",
            metric=rate,
        ),
        registry.Figure(
            "used",
            "Used in resolutions",
            used["total"],
            f"{used['articles']} article(s) used on tickets in the period",
            "uses",
            metric=used["total"],
        ),
        registry.Figure(
            "flagged",
            "Flagged as outdated",
            flagged_total,
            "Articles with an open flag",
            "flagged",
            colour="red",
            metric=flagged_total,
        ),
    ]
    tables = [
        registry.Table(
            "most_viewed",
            "Most viewed articles",
            ("Article", "Views"),
            [registry.Row(f"{r['number']} {r['title']}", (r["view_count"],), url=_url(r)) for r in viewed],
            empty="No published article has been read yet.",
            bars=True,
            note="Published articles, views since publication.",
        ),
        registry.Table(
            "most_helpful",
            "Most helpful articles",
            ("Article", "Helpful", "Not helpful"),
            [
                registry.Row(
                    f"{r['number']} {r['title']}", (r["helpful_count"], r["not_helpful_count"]), url=_url(r)
                )
                for r in helpful
            ],
            empty="No published article has a helpful vote yet.",
            bars=True,
            note="Readers' votes since publication.",
        ),
        registry.Table(
            "flagged",
            "Flagged articles",
            ("Article", "Open flags"),
            [registry.Row(f"{r['number']} {r['title']}", (r["flags"],), url=_url(r)) for r in flagged],
            empty="No article is flagged as outdated.",
            bars=True,
        ),
        registry.Table(
            "used_in_resolutions",
            "Articles used in resolutions",
            ("Article", "Tickets in the period"),
            [
                registry.Row(
                    f"{r['article__number']} {r['article__title']}",
                    (r["total"],),
                    "uses",
                    str(r["article_id"]),
                )
                for r in top_used
            ],
            empty="No article was used on a ticket in the period.",
            bars=True,
        ),
    ]
    return registry.Board(figures, tables, ignored_filters=("priority",))


def _url(row: dict) -> str:
    return reverse("knowledge:article", args=[row["pk"]])


def records(scope, segment: str, arg: str) -> registry.RecordList | None:
    ids = _scoped_ids(scope)
    if segment == "flagged" and not arg:
        queryset = Article.objects.filter(pk__in=ids).filter(
            Exists(ReviewTask.objects.filter(_open_flags(), article_id=OuterRef("pk")))
        )
        return registry.RecordList("Articles flagged as outdated", queryset, ARTICLE_COLUMNS, _url)
    if segment == "deflections" and not arg:
        queryset = Deflection.objects.filter(article_id__in=ids, **registry.in_period("created_at", scope))
        columns = (
            ("Article", "article__number"),
            ("Title", "article__title"),
            ("Search", "query"),
            ("When", "created_at"),
        )
        return registry.RecordList(
            "Issues solved by an article in the period",
            queryset,
            columns,
            lambda row: reverse("knowledge:article", args=[row["article_id"]]),
            url_fields=("article_id",),
        )
    if segment == "uses" and (not arg or arg.isdigit()):
        queryset = ArticleUse.objects.filter(article_id__in=ids, **registry.in_period("created_at", scope))
        if arg:
            queryset = queryset.filter(article_id=int(arg))
        columns = (
            ("Article", "article__number"),
            ("Title", "article__title"),
            ("Ticket", "task_number"),
            ("When", "created_at"),
        )
        return registry.RecordList(
            "Articles used on tickets in the period",
            queryset,
            columns,
            lambda row: reverse("knowledge:article", args=[row["article_id"]]),
            url_fields=("article_id",),
        )
    return None


registry.register(
    registry.PracticeDashboard(
        key="knowledge",
        title="Knowledge",
        description="Whether articles solve issues before they become tickets, and which ones need care.",
        build=build,
        records=records,
        order=50,
    )
)
