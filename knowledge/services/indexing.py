"""The stored search vector: title (A) > summary and tags (B) > body (C).

Written by the publishing services whenever published content changes, in their
transaction, so search never shows text that is not live. Only PostgreSQL keeps one; the
SQLite search path reads the columns directly.
"""

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value

from knowledge.choices import SEARCH_CONFIGS
from knowledge.models import Article


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
    """Recompute the article's vector (or clear it when it is not published)."""
    if not uses_postgres():
        return
    rows = Article.objects.filter(pk=article.pk)
    if article.state != "published":
        rows.update(search_vector=None)
        return
    config = SEARCH_CONFIGS.get(article.language, "simple")
    tags = " ".join(article.tags.values_list("name", flat=True))
    rows.update(search_vector=vector_expression(config, tags))
