"""Bulk catalog data for benchmarks: N catalog items (with forms, approvals and plans, each
published) and M requested items in requests of one to three items.

Task rows are written with PostgreSQL's COPY, parents first (core_task, then the request
and requested item tables), in chunks; on SQLite the same rows go through executemany. No
timeline, approvals or fulfilment tasks are made for the history: the benchmark measures
pages and submission against a large table, and most history is closed anyway.
"""

import csv
import io
import json
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from catalog.choices import ApprovalRule, ApproverKind, VariableType
from catalog.models import ApprovalStep, CatalogItem, Category, FulfilmentStep, Request, RequestItem, Variable
from catalog.services import publish_item
from itsm.core.choices import TaskKind
from itsm.core.models import Task, Team
from itsm.core.services.numbering import sequence_name

HISTORY = timedelta(days=730)
WORDS = ["Laptop", "Monitor", "Access", "Licence", "Mailbox", "Headset", "Phone", "Badge", "Desk", "Tablet"]
OPEN_SHARE = 0.05


def seed_catalog(items: int, request_items: int, *, chunk: int = 20_000, seed: int = 7, progress=None) -> int:
    """Add `items` catalog items and `request_items` requested items; returns the items written."""
    rng = random.Random(seed)
    team = Team.objects.order_by("pk").first()
    if team is None:
        raise ValueError("Run seed_demo first: fulfilment steps need a team.")
    catalog = _seed_items(items, team, rng)
    requesters = list(get_user_model().objects.filter(is_active=True).values_list("pk", flat=True))
    done = 0
    while done < request_items:
        size = min(chunk, request_items - done)
        with transaction.atomic():
            _write_chunk(rng, catalog, requesters, size)
        done += size
        if progress:
            progress(done, request_items)
    return done


def _seed_items(count: int, team: Team, rng: random.Random) -> list[tuple[int, int, str]]:
    shelf, _ = Category.objects.get_or_create(slug="bulk", defaults={"name": "Bulk items"})
    start = CatalogItem.objects.count()
    for n in range(start, start + count):
        item = CatalogItem.objects.create(
            slug=f"bulk-{n}",
            name=f"{rng.choice(WORDS)} {n}",
            category=shelf,
            short_description=f"Bulk catalog item number {n}",
            delivery_time=timedelta(days=rng.randint(1, 10)),
            order_count=rng.randint(0, 5000),
        )
        Variable.objects.bulk_create(
            [
                Variable(item=item, order=1, name="model", label="Model", type=VariableType.CHOICE,
                         required=True, choices="a|A\nb|B\nc|C"),
                Variable(item=item, order=2, name="reason", label="Reason", type=VariableType.TEXTAREA,
                         condition_variable="model", condition_value="c", condition_effect="require"),
                Variable(item=item, order=3, name="count", label="Count", type=VariableType.NUMBER,
                         min_value=1),
            ]
        )  # fmt: skip
        ApprovalStep.objects.create(item=item, approver=ApproverKind.MANAGER, rule=ApprovalRule.ANY)
        FulfilmentStep.objects.create(item=item, order=10, title="Deliver", assignment_group=team)
        publish_item(item, actor=None)
    rows = CatalogItem.objects.filter(is_active=True).values_list("pk", "current_version_id", "name")
    return [row for row in rows if row[1] is not None]


def _write_chunk(rng, catalog, requesters, size: int) -> None:
    now = timezone.now()
    per_request = [rng.choice((1, 1, 1, 2, 3)) for _ in range(size)]
    sizes, total = [], 0
    for n in per_request:
        if total >= size:
            break
        n = min(n, size - total)
        sizes.append(n)
        total += n
    first_id = _reserve_ids(len(sizes) + total)
    req_number = _reserve_numbers(TaskKind.REQUEST, len(sizes))
    item_number = _reserve_numbers(TaskKind.REQUEST_ITEM, total)
    tasks, requests, items = [], [], []
    next_id = first_id
    for index, n in enumerate(sizes):
        opened = now - HISTORY * rng.random() ** 2
        is_open = rng.random() < OPEN_SHARE
        requester = rng.choice(requesters)
        request_id, next_id = next_id, next_id + 1
        state, category = ("in_progress", "open") if is_open else ("closed", "closed")
        number = f"REQ{req_number + index:07d}"
        tasks.append(
            _task(request_id, number, TaskKind.REQUEST, "Bulk request", state, category, requester, opened)
        )
        requests.append((request_id, requester))
        for _ in range(n):
            item_id, next_id = next_id, next_id + 1
            catalog_id, version_id, name = rng.choice(catalog)
            item_state, item_category = ("in_fulfilment", "open") if is_open else ("fulfilled", "resolved")
            tasks.append(_task(item_id, f"RITM{item_number:07d}", TaskKind.REQUEST_ITEM, name, item_state,
                               item_category, requester, opened))  # fmt: skip
            item_number += 1
            values = json.dumps({"model": rng.choice("ab"), "count": rng.randint(1, 5)})
            items.append((item_id, request_id, catalog_id, version_id, 1, values, 10, ""))
    _insert(Task, TASK_COLUMNS, tasks)
    _insert(Request, ["task_ptr_id", "opened_by_id"], requests)
    _insert(RequestItem, ITEM_COLUMNS, items)


TASK_COLUMNS = [
    "id", "number", "kind", "title", "description", "state", "state_category", "priority", "impact",
    "urgency", "requester_id", "opened_at", "updated_at", "resolved_at", "closed_at", "version",
]  # fmt: skip
ITEM_COLUMNS = [
    "task_ptr_id", "parent_request_id", "catalog_item_id", "item_version_id", "quantity", "values", "stage",
    "close_reason",
]  # fmt: skip


def _task(pk, number, kind, title, state, category, requester, opened) -> tuple:
    finished = None if category in ("open", "new") else opened + timedelta(days=2)
    return (pk, number, kind, title, "", state, category, 4, 3, 3, requester, opened, finished or opened,
            finished, finished if category == "closed" else None, 1)  # fmt: skip


def _reserve_ids(count: int) -> int:
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
    return (Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _reserve_numbers(kind: str, count: int) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [sequence_name(kind)])
            start = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence_name(kind), start + count])
        return start
    from itsm.core.models import NumberCounter

    counter, _ = NumberCounter.objects.get_or_create(kind=kind)
    start = counter.last_value + 1
    NumberCounter.objects.filter(pk=counter.pk).update(last_value=start + count)
    return start


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(
                ["\\N" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in row]
            )
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                buffer,
            )
        return
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
