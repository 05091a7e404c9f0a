"""The agent workspace's incident queues, and keyset (cursor) pagination over them.

Why keyset: an OFFSET page makes the database walk and throw away every row before it, so
page 2,000 of a million incidents costs 2,000 pages of work; and a COUNT(*) on every page
load scans the whole match. A keyset page instead says "the 50 rows after (sort value, id)"
— an index range scan that costs the same on the first page and the last. The trade-off:
no "page 17 of 20,000" (pages are next/previous only) and the total is counted only up to
a cap ("more than 1,000").

The sort value is always paired with the row id, so rows that tie on the sort key (most
incidents share a priority) still have one strict order and no row is shown twice or
skipped at a page boundary.
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Expression, F, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.dateparse import parse_datetime

from incidents.choices import MajorIncidentState
from incidents.workflow import ON_HOLD
from itsm.core.models import Task, Team
from itsm.sla.selectors import tasks_at_risk, tasks_breached

#: Rows per queue page, and how far the list counts before it says "more than".
PAGE_SIZE = 50
COUNT_CAP = 1000


class InvalidCursor(ValueError):
    """A page link whose cursor was damaged or made for another sort."""


# --- sorting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    """One sortable column, in one direction; `value` names it in URLs (`-opened`)."""

    value: str
    label: str
    field: str
    descending: bool
    parse: Callable[[Any], Any]

    def ordering(self, *, reverse: bool = False) -> list[Expression]:
        descending = self.descending != reverse
        return [
            F(self.field).desc() if descending else F(self.field).asc(),
            _TablePk(self.field).desc() if descending else _TablePk(self.field).asc(),
        ]

    def after(self, key: tuple[Any, int], *, reverse: bool = False) -> Q:
        """Rows that come after `key` (before it, with `reverse`) in this order."""
        descending = self.descending != reverse
        lookup = TupleLessThan if descending else TupleGreaterThan
        return Q(lookup(Tuple(F(self.field), _TablePk(self.field)), key))

    def key_of(self, row: Any) -> tuple[Any, int]:
        return getattr(row, self.field), row.pk


class _TablePk(Expression):
    """The `id` column of the table that holds `field`.

    An incident's own key is `incidents_incident.task_ptr_id`, but its sort fields live on
    `core_task`. Comparing `(core_task.priority, core_task.id)` keeps the keyset condition and
    the ORDER BY on one table, so PostgreSQL reads them from one (sort key, id) index.
    """

    def __init__(self, field: str) -> None:
        super().__init__()
        self.sort_field = field

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        column = F(self.sort_field).resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return Col(column.alias, Task._meta.pk)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidCursor("not a whole number")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidCursor("not a record number")
    return value


def _datetime(value: Any) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidCursor("not a date and time")
    return parsed


def _sorts() -> dict[str, Sort]:
    columns = [
        ("priority", "Priority", "priority", _int),
        ("number", "Number", "number", _text),
        ("opened", "Opened", "opened_at", _datetime),
        ("updated", "Updated", "updated_at", _datetime),
    ]
    sorts = {}
    for value, label, field, parse in columns:
        sorts[value] = Sort(value, label, field, False, parse)
        sorts[f"-{value}"] = Sort(f"-{value}", label, field, True, parse)
    return sorts


SORTS = _sorts()


def sort_named(value: str | None, default: str) -> Sort:
    """The sort a URL asks for; an unknown name falls back to the queue's default."""
    return SORTS.get(value or "", SORTS[default])


# --- cursors ----------------------------------------------------------------------------


def encode_cursor(sort: Sort, key: tuple[Any, int]) -> str:
    """An opaque, URL-safe token for (sort value, id); it names its sort so a stale link is caught."""
    value, pk = key
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort.value, value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: Sort, token: str) -> tuple[Any, int]:
    """(sort value, id) from a token made by `encode_cursor`; InvalidCursor for anything else."""
    if len(token) > 200:
        raise InvalidCursor("too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        name, value, pk = json.loads(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise InvalidCursor("unreadable") from error
    if name != sort.value:
        raise InvalidCursor("made for another sort order")
    pk = _int(pk)
    if not 0 < pk < 2**63:
        raise InvalidCursor("id out of range")
    return sort.parse(value), pk


# --- pages ------------------------------------------------------------------------------


@dataclass
class KeysetPage:
    """One page: its rows, and cursors for the neighbouring pages (None at either end)."""

    rows: list
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def paginate(
    queryset: QuerySet,
    sort: Sort,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page after the `after` cursor, or before the `before` cursor, or the first page.

    One query: it asks for one row more than the page holds, to know whether a next (or,
    walking back, a previous) page exists.
    """
    if before:
        boundary = decode_cursor(sort, before)
        window = queryset.filter(sort.after(boundary, reverse=True)).order_by(*sort.ordering(reverse=True))
        rows = list(window[: size + 1])
        more = len(rows) > size
        rows = rows[:size][::-1]
        return _page(sort, rows, has_next=True, has_previous=more)
    window = queryset
    if after:
        window = window.filter(sort.after(decode_cursor(sort, after)))
    rows = list(window.order_by(*sort.ordering())[: size + 1])
    more = len(rows) > size
    return _page(sort, rows[:size], has_next=more, has_previous=bool(after))


def _page(sort: Sort, rows: list, *, has_next: bool, has_previous: bool) -> KeysetPage:
    if not rows:
        return KeysetPage(rows, None, None)
    return KeysetPage(
        rows,
        encode_cursor(sort, sort.key_of(rows[-1])) if has_next else None,
        encode_cursor(sort, sort.key_of(rows[0])) if has_previous else None,
    )


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, more): counts at most `cap` + 1 rows, so the cost is bounded however many match."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return min(counted, cap), counted > cap


# --- queues -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    """A named starting set of incidents; the filter sidebar narrows it further."""

    slug: str
    label: str
    description: str
    default_sort: str
    select: Callable[[QuerySet, User], QuerySet]


def _mine(incidents: QuerySet, user: User) -> QuerySet:
    return incidents.active().filter(assignee=user)


def _unassigned(incidents: QuerySet, user: User) -> QuerySet:
    # A subquery rather than a join through the membership table: one row per incident.
    groups = Team.objects.filter(members=user).values("pk")
    return incidents.active().filter(assignee__isnull=True, assignment_group__in=groups)


def _open(incidents: QuerySet, user: User) -> QuerySet:
    return incidents.active()


def _on_hold(incidents: QuerySet, user: User) -> QuerySet:
    return incidents.filter(state=ON_HOLD)


def _everything(incidents: QuerySet, user: User) -> QuerySet:
    return incidents


def _major(incidents: QuerySet, user: User) -> QuerySet:
    majors = [MajorIncidentState.PROPOSED, MajorIncidentState.ACCEPTED]
    return incidents.active().filter(major_state__in=majors)


def _at_risk(incidents: QuerySet, user: User) -> QuerySet:
    return tasks_at_risk(incidents.active())


def _breached(incidents: QuerySet, user: User) -> QuerySet:
    return tasks_breached(incidents.active())


QUEUES: dict[str, Queue] = {
    queue.slug: queue
    for queue in (
        Queue("mine", "My incidents", "Open incidents assigned to you.", "priority", _mine),
        Queue(
            "unassigned",
            "Unassigned in my groups",
            "Waiting for someone in your groups to take them.",
            "priority",
            _unassigned,
        ),
        Queue("open", "All open", "Every incident still being worked on.", "priority", _open),
        Queue("on-hold", "On hold", "Waiting for the caller, a change or a supplier.", "-updated", _on_hold),
        Queue("major", "Major incidents", "Proposed and accepted major incidents.", "-opened", _major),
        Queue(
            "at-risk",
            "SLA at risk",
            "Open incidents past a warning threshold, not yet breached.",
            "priority",
            _at_risk,
        ),
        Queue(
            "breached",
            "SLA breached",
            "Open incidents that missed a service level target.",
            "priority",
            _breached,
        ),
        Queue(
            "all", "All incidents", "Every incident, resolved and closed ones too.", "-opened", _everything
        ),
    )
}
DEFAULT_QUEUE = "mine"
