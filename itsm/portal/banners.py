"""Notices on the portal home that practice apps contribute, without the portal importing them.

The portal is platform code and never imports a practice app. A practice that has something
every end user should see (the incident practice: "a major incident affects Payroll")
registers a provider in its `portal.py`; the portal discovers those modules when it starts,
the way the Django admin discovers `admin.py`.

A provider takes the signed-in user and returns banners as dicts with `service` (a name,
or "" for no particular service) and `since` (when the trouble started), and optionally
`kind` (how the portal words it: MAJOR_INCIDENT, the default, KNOWN_ISSUE, or
PLANNED_MAINTENANCE with `until`, the end of the window that `since` starts), `message`
(plain text, escaped when shown) and `url` (a page the reader may open).
"""

from collections.abc import Callable

from django.contrib.auth.models import User

Provider = Callable[[User], list[dict]]

_providers: list[Provider] = []

MAJOR_INCIDENT = "major_incident"
KNOWN_ISSUE = "known_issue"
PLANNED_MAINTENANCE = "planned_maintenance"


def register(provider: Provider) -> Provider:
    """Add a provider (once, however often its module is imported); usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def banners_for(user: User) -> list[dict]:
    """Every provider's banners, major incidents first (they matter most)."""
    found = [{"kind": MAJOR_INCIDENT, **banner} for provider in _providers for banner in provider(user)]
    return sorted(found, key=lambda banner: banner["kind"] != MAJOR_INCIDENT)
