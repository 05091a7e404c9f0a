"""Bulk-built incident history for benchmarks and large demos.

Rows are generated in chunks and written with PostgreSQL's COPY (one round trip per
table per chunk), parents first (core_task, then incidents_incident, then the
timeline), so a million incidents take minutes. On SQLite the same rows go through
bulk_create, which is fine for the few thousand a laptop demo wants.

The data is skewed like a real desk: most history is closed, recent work is open;
a few groups, services and requesters carry most of the load; two years of history.
"""

import csv
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from incidents.choices import ContactType, HoldReason, ResolutionCode
from incidents.models import Category, Incident
from incidents.priority import ITIL_MATRIX
from incidents.workflow import INCIDENT_WORKFLOW
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import TaskKind, TimelineKind
from itsm.core.models import Task, Team, TimelineEntry
from itsm.core.services.numbering import NUMBER_DIGITS, sequence_name

HISTORY = timedelta(days=730)
TITLES = [
    "Cannot log in to {service}",
    "{service} is very slow",
    "Error 500 when opening {service}",
    "{service} not reachable from home office",
    "Password reset needed for {service}",
    "{service}: report export fails",
    "Printer on floor {n} jams",
    "Laptop battery drains quickly",
    "Outlook keeps asking for my password",
    "Teams calls drop after a few minutes",
]


@dataclass
class SeedContext:
    """What the generated rows point at, loaded once."""

    teams: list[tuple[int, list[int]]]  # (team id, member ids)
    team_weights: list[float]
    services: list[tuple[int, str]]
    service_weights: list[float]
    cis: list[int]
    requesters: list[int]
    requester_weights: list[float]
    categories: list[tuple[int, int | None]]  # (category, subcategory)


def seed_incidents(count: int, *, chunk: int = 20_000, seed: int = 7, progress=None) -> int:
    """Create `count` incidents with timelines; returns how many were written."""
    rng = random.Random(seed)
    context = _load_context(rng, count)
    first_id = _reserve_task_ids(count)
    first_number = _reserve_numbers(count)
    now = timezone.now()
    written = 0
    while written < count:
        size = min(chunk, count - written)
        rows = [
            _incident_row(rng, context, first_id + written + i, first_number + written + i, now)
            for i in range(size)
        ]
        with transaction.atomic():
            _write(rows)
        written += size
        if progress:
            progress(written, count)
    return written


def _load_context(rng: random.Random, count: int) -> SeedContext:
    teams = [(team.pk, list(team.members.values_list("pk", flat=True))) for team in Team.objects.all()]
    teams = [(pk, members) for pk, members in teams if members]
    if not teams:
        raise ValueError("Seed the demo data first (manage.py seed_demo): incidents need teams with members.")
    services = list(Service.objects.values_list("pk", "name"))
    requesters = _ensure_requesters(max(50, count // 500))
    return SeedContext(
        teams=teams,
        team_weights=_zipf(len(teams)),
        services=services or [(None, "the intranet")],
        service_weights=_zipf(len(services) or 1),
        cis=list(ConfigurationItem.objects.values_list("pk", flat=True)[:500]),
        requesters=requesters,
        requester_weights=_zipf(len(requesters), exponent=0.8),
        categories=_ensure_categories(),
    )


def _ensure_requesters(wanted: int) -> list[int]:
    User = get_user_model()
    existing = User.objects.filter(username__startswith="seed.requester.").count()
    User.objects.bulk_create(
        [
            User(username=f"seed.requester.{n}", first_name="Seed", last_name=f"Requester {n}", password="!")
            for n in range(existing, wanted)
        ],
        batch_size=1000,
    )
    return list(User.objects.filter(username__startswith="seed.requester.").values_list("pk", flat=True))


def _ensure_categories() -> list[tuple[int, int | None]]:
    tree = {
        "Hardware": ["Laptop", "Printer", "Monitor"],
        "Software": ["Office", "ERP", "E-mail"],
        "Network": ["VPN", "Wi-Fi"],
    }
    pairs = []
    for name, children in tree.items():
        parent, _ = Category.objects.get_or_create(name=name, parent=None)
        for child in children:
            sub, _ = Category.objects.get_or_create(name=child, parent=parent)
            pairs.append((parent.pk, sub.pk))
    return pairs


def _reserve_task_ids(count: int) -> int:
    """The first of `count` consecutive Task ids that no concurrent creator will be given."""
    table = Task._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT GREATEST(nextval(pg_get_serial_sequence(%s, 'id')), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))",
                [table],
            )
            start = cursor.fetchone()[0]
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start + count])
        return start
    last = Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return last + 1


def _reserve_numbers(count: int) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [sequence_name(TaskKind.INCIDENT)])
            start = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence_name(TaskKind.INCIDENT), start + count])
        return start
    from itsm.core.models import NumberCounter

    counter, _ = NumberCounter.objects.get_or_create(kind=TaskKind.INCIDENT)
    start = counter.last_value + 1
    NumberCounter.objects.filter(pk=counter.pk).update(last_value=start + count)
    return start


def _incident_row(rng: random.Random, ctx: SeedContext, task_id: int, number: int, now: datetime) -> dict:
    opened = now - HISTORY * rng.random() ** 1.6  # more recent than old
    age = now - opened
    state = _state_for(rng, age)
    team_id, members = rng.choices(ctx.teams, ctx.team_weights)[0]
    service_id, service_name = rng.choices(ctx.services, ctx.service_weights)[0]
    impact, urgency = rng.choices([1, 2, 3], [5, 35, 60])[0], rng.choices([1, 2, 3], [10, 40, 50])[0]
    category, subcategory = rng.choice(ctx.categories)
    assignee = None if state == "new" else rng.choice(members)
    responded = None if state == "new" else min(opened + timedelta(minutes=rng.randint(2, 240)), now)
    resolved = (
        opened + min(age, timedelta(hours=rng.randint(1, 240))) if state in ("resolved", "closed") else None
    )
    closed = min(resolved + timedelta(days=5), now) if state == "closed" and resolved else None
    if state == "cancelled":
        closed = opened + timedelta(hours=1)
    return {
        "id": task_id,
        "number": f"INC{number:0{NUMBER_DIGITS}d}",
        "title": rng.choice(TITLES).format(service=service_name, n=rng.randint(1, 9)),
        "state": state,
        "category": INCIDENT_WORKFLOW.category_of(state),
        "priority": ITIL_MATRIX[(impact, urgency)],
        "impact": impact,
        "urgency": urgency,
        "requester_id": rng.choices(ctx.requesters, ctx.requester_weights)[0],
        "group_id": team_id,
        "assignee_id": assignee,
        "service_id": service_id,
        "ci_id": rng.choice(ctx.cis) if ctx.cis and rng.random() < 0.6 else None,
        "opened": opened,
        "responded": responded,
        "resolved": resolved,
        "closed": closed,
        "updated": min(closed or resolved or responded or opened, now),
        "category_id": category,
        "subcategory_id": subcategory,
        "contact_type": rng.choices(ContactType.values, [50, 25, 15, 5, 4, 1])[0],
        "hold_reason": HoldReason.AWAITING_CALLER if state == "on_hold" else "",
        "resolution_code": ResolutionCode.SOLVED_PERMANENTLY if resolved else "",
        "resolution_notes": "Fixed and confirmed with the caller." if resolved else "",
    }


def _state_for(rng: random.Random, age: timedelta) -> str:
    if age > timedelta(days=20):
        return rng.choices(["closed", "cancelled", "resolved"], [93, 5, 2])[0]
    if age > timedelta(days=5):
        return rng.choices(["closed", "resolved", "in_progress", "on_hold"], [60, 20, 15, 5])[0]
    return rng.choices(["new", "in_progress", "on_hold", "resolved"], [30, 45, 10, 15])[0]


def _timeline_rows(row: dict) -> Iterator[tuple]:
    yield (row["id"], TimelineKind.SYSTEM, "incident.created", None, "", "{}", True, row["opened"])
    if row["responded"]:
        yield (
            row["id"],
            TimelineKind.COMMENT,
            "task.comment_added",
            row["assignee_id"],
            "Looking into it.",
            "{}",
            True,
            row["responded"],
        )
    if row["resolved"]:
        changes = json.dumps({"state": {"old": "in_progress", "new": "resolved"}})
        yield (
            row["id"],
            TimelineKind.STATE_CHANGE,
            "incident.resolve",
            row["assignee_id"],
            row["resolution_notes"],
            changes,
            True,
            row["resolved"],
        )


def _write(rows: list[dict]) -> None:
    task_rows = [
        (
            r["id"],
            r["number"],
            TaskKind.INCIDENT,
            r["title"],
            "",
            r["state"],
            r["category"],
            r["priority"],
            r["impact"],
            r["urgency"],
            r["requester_id"],
            r["group_id"],
            r["assignee_id"],
            r["service_id"],
            r["ci_id"],
            r["opened"],
            r["responded"],
            r["resolved"],
            r["closed"],
            r["updated"],
            1,
        )
        for r in rows
    ]
    incident_rows = [
        (
            r["id"],
            r["category_id"],
            r["subcategory_id"],
            r["contact_type"],
            "",
            None,
            r["hold_reason"],
            r["resolution_code"],
            r["resolution_notes"],
        )
        for r in rows
    ]
    timeline_rows = [entry for r in rows for entry in _timeline_rows(r)]
    _insert(Task, [f.column for f in Task._meta.local_concrete_fields], task_rows)
    _insert(Incident, [f.column for f in Incident._meta.local_concrete_fields], incident_rows)
    columns = [f.column for f in TimelineEntry._meta.local_concrete_fields if f.column != "id"]
    _insert(TimelineEntry, columns, timeline_rows)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        _copy(model._meta.db_table, columns, rows)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in rows])


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else _pg_value(value) for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


def _pg_value(value):
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def _zipf(n: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, n + 1)]
