"""Per-process copies of read-mostly configuration that hot write paths read on every call.

Creating an incident reads the active SLA definitions, the routing rules and the priority
matrix. Admins change those a few times a month; integrations create hundreds of records a
minute. Reading them from the database on every create was a fifth of its cost, so
`cached(name, load)` keeps what `load()` returned in this process and loads it again when

- a model watched for that name (`forget_on_change`) is saved or deleted in this process:
  at once, and once more when the transaction commits (a concurrent request may have loaded
  the old rows in between); or
- `CONFIG_CACHE_SECONDS` (default 5) passed since it was loaded: the bound within which a
  change made in one process (the admin's web worker) reaches the others (other web workers,
  Celery workers).

Values are shared by every request of the process: callers treat them as read-only.
"""

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

#: name -> (monotonic time loaded, value)
_entries: dict[str, tuple[float, Any]] = {}


def cached(name: str, load: Callable[[], T]) -> T:
    """The process's copy of `name`, loaded with `load()` when missing, forgotten or too old."""
    entry = _entries.get(name)
    now = time.monotonic()
    if entry is not None and now - entry[0] < settings.CONFIG_CACHE_SECONDS:
        return entry[1]
    value = load()
    _entries[name] = (now, value)
    return value


def forget(name: str | None = None) -> None:
    """Drop one copy (or all): the next `cached` call loads it again."""
    if name is None:
        _entries.clear()
    else:
        _entries.pop(name, None)


def forget_on_change(name: str, *models: type[Model]) -> None:
    """Forget `name` whenever a row of any of `models` (or a many-to-many set on one) changes."""

    def receiver(sender, **kwargs) -> None:
        forget(name)
        transaction.on_commit(lambda: forget(name))

    for model in models:
        uid = f"configcache:{name}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"{uid}:m2m:{field.name}")
