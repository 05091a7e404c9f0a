"""The portal home's one search box, answered by whichever practices are installed.

Like `banners.py`: the portal never imports a practice app. A practice that has something end
users look for (catalog items to request, knowledge articles to read) registers a provider in
its `portal.py`; the portal's search page asks every provider and shows one section each.

A provider takes the signed-in user, the query text and a limit, and returns a `Section`:
its heading, results (title, URL, optional plain text and meta, escaped when shown), and a
link to the practice's own full search for that query. Providers decide visibility themselves
(`visible_to(user)`), so a section only ever lists what the reader may open.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User

MAX_QUERY = 100


@dataclass(frozen=True)
class Result:
    title: str
    url: str
    text: str = ""
    meta: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    results: list[Result] = field(default_factory=list)
    more_url: str = ""
    #: Lower comes first (answers before things to order, so people try a fix before a ticket).
    order: int = 50


Provider = Callable[[User, str, int], Section]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once, however often its module is imported); usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def available() -> bool:
    return bool(_providers)


def search_all(user: User, query: str, *, limit: int = 8) -> list[Section]:
    """Every provider's section for `query` (trimmed to MAX_QUERY), in their order."""
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    return sorted((provider(user, query, limit) for provider in _providers), key=lambda s: (s.order, s.key))
