"""Who else has an incident open: a best-effort list kept in the cache, not the database.

Each open record page reports in every ~15 seconds; an entry lives 45 seconds, so a closed
tab drops off within a minute without any "leave" message. The cache (Redis in production,
per-process memory in development) is the right place: presence is short-lived, changes
constantly, and losing it costs nothing. Two viewers reporting at the same instant may
briefly overwrite each other's entry; the next report 15 seconds later repairs it.
"""

import time
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.cache import cache

#: Seconds an entry stays without a new report, and how often pages report.
TTL = 45
INTERVAL = 15


@dataclass(frozen=True)
class Viewer:
    name: str
    editing: bool


def _key(incident_id: int) -> str:
    return f"incident-presence:{incident_id}"


def touch(incident_id: int, user: User, *, editing: bool = False, now: float | None = None) -> list[Viewer]:
    """Record that `user` has the incident open; return the other people who have it open."""
    now = time.time() if now is None else now
    entries = {uid: entry for uid, entry in (cache.get(_key(incident_id)) or {}).items() if entry[2] > now}
    entries[user.pk] = (user.get_full_name() or user.get_username(), editing, now + TTL)
    cache.set(_key(incident_id), entries, TTL)
    others = sorted((entry for uid, entry in entries.items() if uid != user.pk), key=lambda entry: entry[0])
    return [Viewer(name, is_editing) for name, is_editing, _until in others]


def leave(incident_id: int, user: User) -> None:
    """Drop `user` at once (the page was closed with a goodbye beacon)."""
    entries = cache.get(_key(incident_id)) or {}
    if entries.pop(user.pk, None) is not None:
        cache.set(_key(incident_id), entries, TTL)
