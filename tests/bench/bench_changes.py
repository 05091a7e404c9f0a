"""Benchmark: change collision checks and the change calendar on a large estate (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench .venv/bin/python -m tests.bench.bench_changes

Builds, in its own throwaway database `itsm_bench_changes` (created and dropped here, like the
test runner's), the CMDB graph of tests/cmdb/graphs.py (50,000 CIs: switches, storage, hosts,
VMs, databases, applications; runs on / hosted on / depends on edges) and 10,000 active
changes over the next 180 days (1-3 CIs each, some with a service, 40 assignees), written in
batches. Then prints p50/p95/max of `find_collisions` for random changes and for changes on
the busiest kind of CI, EXPLAIN ANALYZE of the walk, and the timings of the calendar month
and week pages and of the JSON feed. Options: --cis N, --changes N, --samples N, --hops N.
It prints figures; it asserts nothing (not a timed test; pytest does not collect it).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta

DB_NAME = "itsm_bench_changes"


def main() -> None:
    options = _options()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("note: DATABASE_URL is not PostgreSQL; the figures are for", connection.vendor, file=sys.stderr)
    settings = connection.settings_dict
    settings["TEST"] = {**settings.get("TEST", {}), "NAME": DB_NAME}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        _run(options)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _options() -> argparse.Namespace:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--cis", type=int, default=50_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--hops", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _run(options: argparse.Namespace) -> None:
    from django.db import connection

    from changes import scheduling
    from changes.models import Change
    from itsm.cmdb.choices import CIClass
    from tests.cmdb.graphs import build_graph

    started = time.perf_counter()
    graph = build_graph(options.cis, seed=options.seed, progress=lambda message: print(f"  {message}"))
    print(f"built {len(graph.ci_ids):,} CIs, {len(graph.edges):,} relationships in {_since(started)}")
    started = time.perf_counter()
    rng = random.Random(options.seed)
    agents = _agents(40)
    change_ids = _seed_changes(rng, graph, agents, options.changes)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {len(change_ids):,} changes in {_since(started)} on {connection.vendor}")

    def check(change_id: int):
        change = Change.objects.get(pk=change_id)
        return scheduling.find_collisions(change, hops=options.hops)

    sample = rng.sample(change_ids, min(options.samples, len(change_ids)))
    found = _measure(f"find_collisions, random changes (hops={options.hops})", check, sample)
    sizes = [len(collisions) for collisions in found]
    print(f"  collisions per check: mean {statistics.mean(sizes):.1f}, max {max(sizes)}")
    by_ci_class = _changes_by_first_ci_class(change_ids, graph)
    for ci_class in (CIClass.STORAGE, CIClass.SERVER, CIClass.VIRTUAL_MACHINE, CIClass.APPLICATION):
        ids = by_ci_class.get(ci_class, [])
        if ids:
            _measure(f"find_collisions, changes on a {ci_class}", check, rng.sample(ids, min(50, len(ids))))
    _measure(
        "find_collisions, hops=3, random changes",
        lambda pk: scheduling.find_collisions(Change.objects.get(pk=pk), hops=3),
        sample[:100],
    )
    _explain(rng.choice(sample), options.hops)
    _pages(agents[0])


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


def _agents(count: int) -> list:
    from django.contrib.auth.models import Group, User

    from itsm.core.roles import Role

    group, _ = Group.objects.get_or_create(name=Role.AGENT)
    people = [User(username=f"bench-agent-{i:03d}", first_name=f"Agent{i}") for i in range(count)]
    users = User.objects.bulk_create(people)
    group.user_set.add(*users)
    return users


def _seed_changes(rng: random.Random, graph, agents: list, count: int, batch: int = 2000) -> list[int]:
    """Task rows by bulk_create, then the Change rows and the CI/service links in batches."""
    from django.db import connection
    from django.utils import timezone

    from changes.models import Change
    from itsm.cmdb.choices import CIClass
    from itsm.core.choices import StateCategory, TaskKind
    from itsm.core.models import Task

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    candidates = (
        graph.by_class[CIClass.APPLICATION] * 3
        + graph.by_class[CIClass.DATABASE] * 2
        + graph.by_class[CIClass.VIRTUAL_MACHINE] * 2
        + graph.by_class[CIClass.SERVER]
        + graph.by_class[CIClass.STORAGE]
    )
    services = sorted({service for service, _ci in graph.components})
    states = [
        ("scheduled", StateCategory.OPEN),
        ("authorize", StateCategory.PENDING),
        ("assess", StateCategory.OPEN),
    ]
    ids: list[int] = []
    columns = list(Change._meta.local_concrete_fields)
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        picks = [rng.choices(states, [70, 20, 10])[0] for _ in range(size)]
        tasks = Task.objects.bulk_create(
            [
                Task(
                    number=f"CHG{offset + i + 1:07d}",
                    kind=TaskKind.CHANGE,
                    title=f"Bench change {offset + i + 1}",
                    state=state,
                    state_category=category,
                    assignee=rng.choice(agents) if rng.random() < 0.8 else None,
                )
                for i, (state, category) in enumerate(picks)
            ]
        )
        rows = []
        for task in tasks:
            start = now + timedelta(hours=rng.randrange(0, 180 * 24))
            values = {field.attname: field.get_default() for field in columns}
            values.update(
                task_ptr_id=task.pk,
                planned_start=start,
                planned_end=start + timedelta(hours=rng.choice([1, 2, 2, 3, 4, 6])),
                change_type=rng.choices(["normal", "standard", "emergency"], [60, 35, 5])[0],
                risk=rng.choices(["low", "moderate", "high", "very_high"], [40, 40, 15, 5])[0],
            )
            rows.append(tuple(_db_value(field, values[field.attname]) for field in columns))
        table = connection.ops.quote_name(Change._meta.db_table)
        names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
        ci_links = [
            Change.affected_cis.through(change_id=task.pk, configurationitem_id=ci)
            for task in tasks
            for ci in set(rng.sample(candidates, rng.choice([1, 1, 2, 3])))
        ]
        Change.affected_cis.through.objects.bulk_create(ci_links, batch_size=5000, ignore_conflicts=True)
        service_links = [
            Change.affected_services.through(change_id=task.pk, service_id=rng.choice(services))
            for task in tasks
            if rng.random() < 0.4
        ]
        Change.affected_services.through.objects.bulk_create(service_links, batch_size=5000)
        ids += [task.pk for task in tasks]
    return ids


def _db_value(field, value):
    from django.db import connection

    return field.get_db_prep_save(value, connection)


def _changes_by_first_ci_class(change_ids: list[int], graph) -> dict[str, list[int]]:
    from changes.models import Change

    class_of = {pk: ci_class for ci_class, ids in graph.by_class.items() for pk in ids}
    found: dict[str, list[int]] = {}
    rows = Change.affected_cis.through.objects.filter(change_id__in=change_ids).values_list(
        "change_id", "configurationitem_id"
    )
    for change_id, ci in rows:
        found.setdefault(class_of[ci], []).append(change_id)
    return found


def _measure(label: str, function, items: list) -> list:
    function(items[0])  # warm the connection and the plan cache
    timings, results = [], []
    for item in items:
        started = time.perf_counter()
        results.append(function(item))
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(
        f"{label:<52} n={len(timings):<4} p50 {statistics.median(timings):7.2f} ms   "
        f"p95 {p95:7.2f} ms   max {timings[-1]:7.2f} ms"
    )
    return results


def _explain(change_id: int, hops: int) -> None:
    from django.db import connection

    from changes import scheduling
    from changes.models import Change

    if connection.vendor != "postgresql":
        return
    change = Change.objects.get(pk=change_id)
    mine = list(change.affected_cis.values_list("pk", flat=True))
    overlapping = Change.objects.scheduled_between(change.planned_start, change.planned_end)
    overlapping = overlapping.exclude(pk=change.pk)
    targets = list(
        Change.affected_cis.through.objects.filter(change__in=overlapping).values_list(
            "configurationitem_id", flat=True
        )
    )
    sql, params = scheduling.paths_sql(mine, targets, hops)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = "\n".join("  " + row[0] for row in cursor.fetchall())
    print(f"\nEXPLAIN ANALYZE of the walk from CIs {mine} to {len(targets)} CIs (hops={hops}):\n{plan}")


def _pages(user) -> None:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    try:
        month_url = reverse("change:calendar")
        feed_url = reverse("change:calendar-json")
    except NoReverseMatch:
        print("calendar pages are not mounted; skipped")
        return
    client = Client()
    client.force_login(user)
    today = timezone.now().date()
    months = [(today.year + (today.month - 1 + i) // 12, (today.month - 1 + i) % 12 + 1) for i in range(6)]
    month_pages = [f"{month_url}?view=month&year={y}&month={m}" for y, m in months]
    _measure("calendar month page (6 months)", lambda url: _get(client, url), month_pages * 3)
    week_pages = [f"{month_url}?view=week&date={today + timedelta(days=7 * i)}" for i in range(12)]
    _measure("calendar week page (12 weeks)", lambda url: _get(client, url), week_pages)
    start = today.isoformat()
    end = (today + timedelta(days=31)).isoformat()
    json_urls = [f"{feed_url}?start={start}&end={end}"] * 10
    _measure("calendar JSON, one month", lambda url: _get(client, url), json_urls)


def _get(client, url: str) -> int:
    response = client.get(url, HTTP_HOST="localhost", secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response.status_code


if __name__ == "__main__":
    main()
