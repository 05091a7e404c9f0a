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
from django.contrib.postgres.search import SearchQuery, TrigramDistance
from django.db import connection
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
#: How many matches of the head vector, and of the whole text, are ranked at most.
HEAD_CANDIDATES = 300
BODY_CANDIDATES = 100
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


def _postgres(candidates: QuerySet, terms: list[str], filters: Filters, limit: int) -> list[Hit]:
    """Widen step by step, stopping at the first step that finds something: all words; all
    words with typos corrected; all words but one; any word; nearest titles by trigram."""
    config = SEARCH_CONFIGS.get(filters.language or "en", "simple")
    for groups in _widening(terms):
        prefix, exact = _tsquery(groups, prefix=True), _tsquery(groups, prefix=False)
        ranked = _ranked(candidates, config, prefix, exact, limit)
        if ranked:
            articles = _with_snippets(list(ranked), _query(prefix, config), config)
            return [
                Hit(articles[pk], ranked[pk], articles[pk].snippet_html) for pk in ranked if pk in articles
            ]
    similar = _similar_titles(candidates, " ".join(terms), limit)
    articles = _with_snippets(list(similar), _query(_tsquery([terms], prefix=True), config), config)
    return [
        Hit(articles[pk], similar[pk], articles[pk].snippet_html, by_similarity=True)
        for pk in similar
        if pk in articles
    ]


def _widening(terms: list[str]):
    """The word groups to try, narrowest first (a match needs every word of some group).
    Typos are corrected only once the words as typed found nothing."""
    yield [terms]
    corrected = _corrected(terms)
    if corrected != terms:
        yield [corrected]
    if len(corrected) > 2:
        yield [corrected[:i] + corrected[i + 1 :] for i in range(len(corrected))]
    if len(corrected) > 1:
        yield [[term] for term in corrected]


def _query(text: str, config: str) -> SearchQuery:
    return SearchQuery(text, search_type="raw", config=config)


def _tsquery(groups: list[list[str]], *, prefix: bool) -> str:
    """`(a:* & b:*) | (a:* & c:*)`: every word of some group. Terms are `\\w+`, so safe here."""
    suffix = ":*" if prefix else ""
    return " | ".join("(" + " & ".join(f"{term}{suffix}" for term in group) + ")" for group in groups)


def _ranked(candidates: QuerySet, config: str, prefix: str, exact: str, limit: int) -> dict[int, float]:
    """Rank only a bounded candidate set: up to HEAD_CANDIDATES matches of the small head
    vector (title, summary, tags) plus up to BODY_CANDIDATES matches anywhere, so a word in
    every fifth article costs the same as a rare one. Whole-word matches earn a bonus over
    prefix-only ones ("lock" for "locked", not "locker")."""
    query = _query(prefix, config)
    # No ORDER BY inside: any N matches will do, and the scan stops after N.
    head = candidates.filter(head_vector=query).order_by().values("pk")[:HEAD_CANDIDATES]
    body = candidates.filter(search_vector=query).order_by().values("pk")[:BODY_CANDIDATES]
    head_sql, head_params = head.query.sql_with_params()
    body_sql, body_params = body.query.sql_with_params()
    # The candidates are gathered first (MATERIALIZED), then fetched by primary key and ranked.
    sql = (
        f"WITH c AS MATERIALIZED (({head_sql}) UNION ({body_sql})), "
        "q AS (SELECT to_tsquery(%s::regconfig, %s) AS p, to_tsquery(%s::regconfig, %s) AS e) "
        "SELECT a.id, ts_rank(a.search_vector, q.p) + ts_rank(a.search_vector, q.e) AS rank "
        "FROM c JOIN knowledge_article a ON a.id = c.pk CROSS JOIN q "
        "ORDER BY rank DESC, a.published_at DESC NULLS LAST, a.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head_params, *body_params, config, prefix, config, exact, limit])
        return {pk: float(rank) for pk, rank in cursor.fetchall()}


def _corrected(terms: list[str]) -> list[str]:
    """Each word that no published word starts with, replaced by the nearest known word
    (trigram similarity on the small word list, nearest-first through its GiST index)."""
    fixed = []
    with connection.cursor() as cursor:
        for term in terms:
            if len(term) >= 4 and not term.isdigit():
                pattern = term.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
                cursor.execute("SELECT 1 FROM knowledge_searchword WHERE word LIKE %s LIMIT 1", [pattern])
                if cursor.fetchone() is None:
                    cursor.execute(
                        "SELECT word FROM knowledge_searchword WHERE word %% %s ORDER BY word <-> %s LIMIT 1",
                        [term, term],
                    )
                    row = cursor.fetchone()
                    term = row[0] if row else term
            fixed.append(term)
    return fixed


class TrigramMatch(Func):
    """`title % 'text'`: pg_trgm's similarity operator (at least pg_trgm.similarity_threshold,
    0.3 by default), which the GiST index answers while it walks nearest-first.

    (The `trigram_similar` lookup needs django.contrib.postgres installed as an app.)"""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _similar_titles(candidates: QuerySet, text: str, limit: int) -> dict[int, float]:
    """The nearest similar titles: `WHERE title % q ORDER BY title <-> q LIMIT n` walks the
    GiST index nearest-first, prunes by similarity and stops after n (EXPLAIN: 20-30 ms on
    100k titles, against ~50 ms without the `%` and a recheck of every candidate with GIN)."""
    rows = (
        candidates.filter(TrigramMatch(F("title"), Value(text)))
        .annotate(distance=TrigramDistance("title", Value(text)))
        .order_by("distance")
        .values_list("pk", "distance")[:limit]
    )
    return {pk: 1 - float(distance) for pk, distance in rows if 1 - float(distance) >= TRIGRAM_THRESHOLD}


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
    hits = _sqlite_matching(candidates, terms, limit, every_word=True)
    if not hits and len(terms) > 1:
        # like PostgreSQL's widening: articles with some of the words, the most matched first
        hits = _sqlite_matching(candidates, terms, limit, every_word=False)
    if len(hits) < limit:
        hits += _sqlite_similar(
            candidates.exclude(pk__in=[h.article.pk for h in hits]), terms, limit - len(hits)
        )
    return hits


def _sqlite_matching(candidates: QuerySet, terms: list[str], limit: int, *, every_word: bool) -> list[Hit]:
    matches = Q() if every_word else Q(pk__in=[])
    score = Value(0)
    for term in terms:
        found = Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
        matches = (matches & found) if every_word else (matches | found)
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
    return [Hit(article, float(article.score), _python_snippet(article, terms)) for article in rows]


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
