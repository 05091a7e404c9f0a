"""The stored search data: the weighted vector, the head vector and the word list.

Written by the publishing services whenever published content changes, in their
transaction, so search never shows text that is not live. Only PostgreSQL keeps them; the
SQLite search path reads the columns directly.

- `search_vector`: title (A) > summary and tags (B) > body (C); what results are ranked by.
- `head_vector`: title, summary and tags only; search filters on it first, so a common word
  never makes it rank every body that mentions it.
- `SearchWord`: the distinct words of published text, to correct typos in a query before
  full-text search (a trigram lookup among a few thousand words instead of every title).
  When an article stops being published (retired, sent back), its words that no other
  published article uses leave the list, so a query is never "corrected" to a word of a
  retired article. (Words removed by editing a published article stay until it is retired:
  such a correction then finds nothing, costing one more query, never a wrong result.)
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

from knowledge.choices import SEARCH_CONFIGS
from knowledge.models import Article

_CONFIG_CASE = (
    "CASE a.language "
    + " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in SEARCH_CONFIGS.items())
    + " ELSE 'simple' END::regconfig"
)
_TAGS = (
    "coalesce((SELECT string_agg(t.name, ' ') FROM knowledge_article_tags at "
    "JOIN knowledge_tag t ON t.id = at.tag_id WHERE at.article_id = a.id), '')"
)
#: Set-based so the per-article refresh and a backfill of every article run the same SQL.
HEAD_SQL = (
    f"UPDATE knowledge_article a SET head_vector = "
    f"to_tsvector({_CONFIG_CASE}, a.title || ' ' || a.summary || ' ' || {_TAGS}) WHERE {{where}}"
)
WORDS_SQL = (
    "INSERT INTO knowledge_searchword (word) SELECT DISTINCT w FROM knowledge_article a, "
    "regexp_split_to_table(lower(a.title || ' ' || a.summary || ' ' || a.body), '[^[:alnum:]]+') AS w "
    "WHERE length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$' AND {where} ON CONFLICT (word) DO NOTHING"
)


_ARTICLE_WORDS = (
    "SELECT DISTINCT w FROM knowledge_article {alias}, regexp_split_to_table(lower({alias}.title || ' ' || "
    "{alias}.summary || ' ' || {alias}.body), '[^[:alnum:]]+') AS w WHERE {where}"
)
#: The article's words that no other published article has. Reads every published article's
#: text once; it runs when an article leaves publication, which is rare.
PRUNE_SQL = (
    "WITH mine AS ("
    + _ARTICLE_WORDS.format(alias="a", where="a.id = %s")
    + "), kept AS ("
    + _ARTICLE_WORDS.format(
        alias="b", where="b.state = 'published' AND b.id <> %s AND w IN (SELECT w FROM mine)"
    )
    + ") DELETE FROM knowledge_searchword s WHERE s.word IN (SELECT w FROM mine) "
    "AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.w = s.word)"
)


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def vector_expression(config: str, tags: str = ""):
    """The weighted document of an article row, as an SQL expression."""
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector(Value(tags), weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def refresh_search_vector(article: Article) -> None:
    """Recompute the article's vectors and add its words (or clear the vectors when it is not
    published)."""
    if not uses_postgres():
        return
    rows = Article.objects.filter(pk=article.pk)
    if article.state != "published":
        rows.update(search_vector=None, head_vector=None)
        with connection.cursor() as cursor:
            cursor.execute(PRUNE_SQL, [article.pk, article.pk])
        return
    config = SEARCH_CONFIGS.get(article.language, "simple")
    tags = " ".join(article.tags.values_list("name", flat=True))
    rows.update(search_vector=vector_expression(config, tags))
    with connection.cursor() as cursor:
        cursor.execute(HEAD_SQL.format(where="a.id = %s"), [article.pk])
        cursor.execute(WORDS_SQL.format(where="a.id = %s"), [article.pk])
