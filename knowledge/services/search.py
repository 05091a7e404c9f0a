"""The one knowledge search: the workspace, the portal, deflection and the API all call it.

PostgreSQL: the stored, GIN-indexed `search_vector` (title A > summary/tags B > body C)
matched with prefix terms (`vpn conn` finds "VPN connection"), ranked by `ts_rank`, with
`ts_headline` snippets; when full text finds nothing (a typo), trigram similarity on the
title (pg_trgm, GIN-indexed) adds the nearest titles. SQLite: the same contract through
LIKE matching and the same weights computed in SQL, with close-word matching for typos.

Snippets are built with control characters as highlight markers, escaped, and only then
given `<mark>` tags, so no article text reaches the page as markup.
"""

import difflib
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import Func
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from knowledge import markdown
from knowledge.choices import SEARCH_CONFIGS
from knowledge.models import Article
from knowledge.services.indexing import uses_postgres

MAX_TERMS = 8
MAX_LIMIT = 50
TRIGRAM_THRESHOLD = 0.3
SNIPPET_WORDS = 30
_WORD = re.compile(r"\w+", re.UNICODE)
_START, _STOP = "\x02", "\x03"
#: Weights of the SQLite path per matched term, in the same order as PostgreSQL's A/B/C.
WEIGHTS = {"title": 10, "summary": 4, "body": 1}


@dataclass
class Hit:
    article: Article
    score: float
    snippet: SafeString
    by_similarity: bool = False


@dataclass(frozen=True)
class Filters:
    base: int | None = None
    category: int | None = None
    service: int | None = None
    language: str | None = None


def terms_of(query: str) -> list[str]:
    """Lower-case words of the query (at most MAX_TERMS), punctuation dropped."""
    return [word.lower() for word in _WORD.findall(query or "")][:MAX_TERMS]


def search_articles(
    user: User | AnonymousUser, query: str, *, filters: Filters | None = None, limit: int = 10
) -> list[Hit]:
    """Published articles `user` may read that match `query`, best first."""
    terms = terms_of(query)
    if not terms:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    candidates = _filtered(Article.objects.visible_to(user).published(), filters or Filters())
    if uses_postgres():
        return _postgres(candidates, terms, filters or Filters(), limit)
    return _sqlite(candidates, terms, limit)


def _filtered(queryset: QuerySet, filters: Filters) -> QuerySet:
    if filters.base:
        queryset = queryset.filter(base_id=filters.base)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.service:
        queryset = queryset.filter(services__id=filters.service)
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    return queryset


# --- PostgreSQL ------------------------------------------------------------------------------


class Headline(Func):
    """`ts_headline(config, text, query, options)`."""

    function = "ts_headline"

    def __init__(self, config: str, text, query, options: str):
        super().__init__(Value(config), text, query, Value(options), output_field=TextField())


class TrigramMatch(Func):
    """`title % 'text'`: pg_trgm's similarity operator, which the title's GIN index answers.

    (The `trigram_similar` lookup needs django.contrib.postgres installed as an app.)"""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _postgres(candidates: QuerySet, terms: list[str], filters: Filters, limit: int) -> list[Hit]:
    config = SEARCH_CONFIGS.get(filters.language or "en", "simple")
    tsquery = SearchQuery(" & ".join(f"{term}:*" for term in terms), search_type="raw", config=config)
    ranked = list(
        candidates.filter(search_vector=tsquery)
        .annotate(rank=SearchRank(F("search_vector"), tsquery))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", "rank")[:limit]
    )
    scores = {pk: float(rank) for pk, rank in ranked}
    similar: dict[int, float] = {}
    # Typo tolerance only when the words themselves found nothing: a trigram scan of titles
    # costs more than the full-text match, so it is the fallback, not a second opinion.
    if not ranked:
        similar = _similar_titles(candidates.exclude(pk__in=scores), " ".join(terms), limit - len(ranked))
    articles = _with_snippets(list(scores) + list(similar), tsquery, config)
    hits = [Hit(articles[pk], scores[pk], articles[pk].snippet_html) for pk in scores if pk in articles]
    hits += [
        Hit(articles[pk], similar[pk], articles[pk].snippet_html, by_similarity=True)
        for pk in similar
        if pk in articles
    ]
    return hits


def _similar_titles(candidates: QuerySet, text: str, limit: int) -> dict[int, float]:
    """Titles within trigram distance of the query (the `%` operator uses the GIN index)."""
    rows = (
        candidates.filter(TrigramMatch(F("title"), Value(text)))
        .annotate(similarity=TrigramSimilarity("title", text))
        .filter(similarity__gte=TRIGRAM_THRESHOLD)
        .order_by("-similarity", "-pk")
        .values_list("pk", "similarity")[:limit]
    )
    return {pk: float(similarity) for pk, similarity in rows}


def _with_snippets(pks: list[int], tsquery: SearchQuery, config: str) -> dict[int, Article]:
    if not pks:
        return {}
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2"
    rows = (
        Article.objects.filter(pk__in=pks)
        .select_related("base", "category")
        .annotate(headline=Headline(config, F("body"), tsquery, options))
    )
    found = {}
    for article in rows:
        article.snippet_html = (
            _marked(_strip_markup(article.headline)) if article.headline else _lead(article)
        )
        found[article.pk] = article
    return found


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite(candidates: QuerySet, terms: list[str], limit: int) -> list[Hit]:
    matches = Q()
    score = Value(0)
    for term in terms:
        matches &= Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
        for field, weight in WEIGHTS.items():
            score = score + Case(
                When(**{f"{field}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    rows = list(
        candidates.filter(matches)
        .annotate(score=score)
        .select_related("base", "category")
        .order_by("-score", "-published_at", "-pk")[:limit]
    )
    hits = [Hit(article, float(article.score), _python_snippet(article, terms)) for article in rows]
    if len(hits) < limit:
        hits += _sqlite_similar(
            candidates.exclude(pk__in=[h.article.pk for h in hits]), terms, limit - len(hits)
        )
    return hits


def _sqlite_similar(candidates: QuerySet, terms: list[str], limit: int) -> list[Hit]:
    """Typo tolerance without pg_trgm: each query word close to a title word (difflib ratio)."""
    scored = []
    for article in candidates.select_related("base", "category").order_by("-pk")[:2000]:
        words = terms_of(article.title)
        ratios = [max((difflib.SequenceMatcher(None, t, w).ratio() for w in words), default=0) for t in terms]
        best = sum(ratios) / len(ratios)
        if best >= 0.75:
            scored.append((best, article))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [Hit(a, s, _python_snippet(a, terms), by_similarity=True) for s, a in scored[:limit]]


def _python_snippet(article: Article, terms: list[str]) -> SafeString:
    text = markdown.plain_text(article.body)
    lower = text.lower()
    positions = [lower.find(term) for term in terms if lower.find(term) >= 0]
    if not positions:
        return _lead(article)
    start = max(0, min(positions) - 80)
    window = text[start : start + 240]
    pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.I)
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    return _marked(("…" if start else "") + marked + ("…" if start + 240 < len(text) else ""))


# --- snippets -----------------------------------------------------------------------------------


def _lead(article: Article) -> SafeString:
    text = article.summary or markdown.plain_text(article.body)[:200]
    return escape(text)


def _strip_markup(text: str) -> str:
    """Markdown punctuation makes snippets noisy; the words are what matter."""
    return re.sub(r"[#*_`>|]+|\]\([^)]*\)|!\[|\[", " ", text).strip()


def _marked(text: str) -> SafeString:
    """Escape everything, then turn only our own markers into `<mark>` (balanced, nothing else)."""
    escaped = str(escape(text))
    marked = re.sub(f"{_START}([^{_START}{_STOP}]*){_STOP}", r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(_START, "").replace(_STOP, ""))  # escaped above
