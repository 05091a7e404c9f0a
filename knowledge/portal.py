"""What knowledge adds to the portal: published articles in the home page's search.
Discovered by `itsm.portal` when it starts (see `itsm/portal/search.py`)."""

from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.urls import reverse

from itsm.portal import search
from knowledge import services


@search.register
def articles(user: User, query: str, limit: int) -> search.Section:
    """Articles the reader may open, ranked by the one knowledge search (answers come first)."""
    hits = services.search_articles(user, query, limit=limit)
    results = [
        search.Result(
            title=hit.article.title,
            url=hit.article.get_portal_url(),
            text=hit.article.summary,
            meta=f"{hit.article.number} · {hit.article.base.name}",
        )
        for hit in hits
    ]
    more = f"{reverse('knowledge:search')}?{urlencode({'q': query})}"
    return search.Section(key="knowledge", heading="Answers", results=results, more_url=more, order=10)
