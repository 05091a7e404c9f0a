"""Fulfilment task queues for the agent workspace, with keyset pages on (priority, id).

Same approach as the incident queues (see incidents/queues.py for the reasoning): a page is
"the rows after (priority, id)", an index range scan over `task_active_prio_idx`-style
indexes whose cost does not grow with the page number, and no COUNT(*) over the whole match.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan

from itsm.core.models import Team

PAGE_SIZE = 50


class InvalidCursor(ValueError):
    """A damaged page link."""


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str
    select: Callable[[QuerySet, User], QuerySet]


def _mine(tasks: QuerySet, user: User) -> QuerySet:
    return tasks.active().filter(assignee=user)


def _unassigned(tasks: QuerySet, user: User) -> QuerySet:
    groups = Team.objects.filter(members=user).values("pk")
    return tasks.active().filter(assignee__isnull=True, assignment_group__in=groups)


QUEUES = {
    q.slug: q
    for q in (
        Queue("mine", "My tasks", _mine),
        Queue("unassigned", "Unassigned in my groups", _unassigned),
        Queue("open", "All open", lambda tasks, user: tasks.active()),
        Queue("all", "All tasks", lambda tasks, user: tasks),
    )
}


@dataclass
class Page:
    rows: list
    next_cursor: str | None


def encode(priority: int, pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([priority, pk]).encode()).decode().rstrip("=")


def decode(token: str) -> tuple[int, int]:
    if len(token) > 100:
        raise InvalidCursor("too long")
    try:
        priority, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise InvalidCursor("unreadable") from error
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63 for v in (priority, pk)):
        raise InvalidCursor("out of range")
    return priority, pk


def paginate(queryset: QuerySet, *, after: str | None, size: int = PAGE_SIZE) -> Page:
    """The page after `after` in (priority, id) order; one query for size + 1 rows."""
    if after:
        queryset = queryset.filter(Q(TupleGreaterThan(Tuple(F("priority"), F("task_ptr_id")), decode(after))))
    rows = list(queryset.order_by("priority", "task_ptr_id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode(rows[-1].priority, rows[-1].pk) if more and rows else None)
