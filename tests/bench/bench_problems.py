"""Benchmark of the problem-proposal clustering: precision and recall on planted clusters, and run time.

In memory (the algorithm alone):

    .venv/bin/python tests/bench/bench_problems.py --items 100000 --clusters 200

The full job on a database (`--database`: run `migrate` and `seed_demo` first; DATABASE_URL
picks the database): writes the generated incidents into the window (opened in the last 14
days, on the database's services), then times `problems.propose` — the window read, the
clustering and the candidate writes — and scores the candidates it wrote:

    DATABASE_URL=postgres://.../itsm_bench_problems .venv/bin/python tests/bench/bench_problems.py --database

The data comes from tests/problems/corpus.py: everyday incidents over many services (generic
complaints, chatter, names, machine names, typos) and planted faults (5–30 reports each, one
component and failure, paraphrased, with typos and sometimes an error code). Scores are
pair-wise: of the pairs of incidents put in one cluster, the share planted together
(precision); of the pairs planted together, the share found together (recall).
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from problems.clustering import Item, find_clusters  # noqa: E402
from tests.problems.corpus import SERVICE_COUNT, SERVICES, Row, generate  # noqa: E402


def pairs(groups) -> set[tuple[int, int]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def scores(rows: list[Row], found: list[list[int]]) -> tuple[float, float]:
    planted: dict[int, list[int]] = {}
    for row in rows:
        if row.cluster is not None:
            planted.setdefault(row.cluster, []).append(row.id)
    true_pairs, found_pairs = pairs(planted.values()), pairs(found)
    hits = len(true_pairs & found_pairs)
    return hits / max(len(found_pairs), 1), hits / max(len(true_pairs), 1)


def in_memory(args) -> None:
    rows = generate(args.items, args.clusters, seed=args.seed)
    names = list(SERVICES)
    items = [
        Item(r.id, r.service_id, None, f"{r.title} {r.description}", r.title, names[(r.service_id - 1) % 24])
        for r in rows
    ]
    started = time.perf_counter()
    found = find_clusters(items)
    elapsed = time.perf_counter() - started
    precision, recall = scores(rows, [c.members for c in found])
    print(f"incidents {len(rows):,}, planted clusters {args.clusters}, clusters found {len(found)}")
    print(f"pair precision {precision:.3f}, pair recall {recall:.3f}")
    print(f"clustering time {elapsed:.1f} s")


def on_database(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    import django

    django.setup()
    from django.utils import timezone

    from itsm.cmdb.models import Service
    from problems.models import Candidate
    from problems.tasks import propose_problems_task

    if not Service.objects.exists():
        sys.exit("Run manage.py seed_demo first: the incidents need teams and services.")
    services = bench_services()
    rows = generate(args.items, args.clusters, seed=args.seed, services=services)
    started = time.perf_counter()
    ids = write_incidents(rows, timezone.now())
    print(f"wrote {len(rows):,} incidents in {time.perf_counter() - started:.1f} s")
    Candidate.objects.all().delete()
    started = time.perf_counter()
    report = propose_problems_task.apply().get()
    elapsed = time.perf_counter() - started
    found = [
        [ids.get(pk) for pk in c.members.values_list("pk", flat=True) if pk in ids]
        for c in Candidate.objects.all()
    ]
    precision, recall = scores(rows, found)
    print(f"job: {report}")
    print(f"problems.propose run time {elapsed:.1f} s (window read + clustering + candidate writes)")
    print(f"pair precision {precision:.3f}, pair recall {recall:.3f} (on the generated incidents)")


def bench_services() -> list[int]:
    """SERVICE_COUNT services named after the corpus's vocabularies ("Email 1", "VPN 1", ...)."""
    from itsm.cmdb.models import Service

    names = [f"{list(SERVICES)[n % len(SERVICES)]} {n // len(SERVICES) + 1}" for n in range(SERVICE_COUNT)]
    return [Service.objects.get_or_create(name=name)[0].pk for name in names]


def write_incidents(rows: list[Row], now) -> dict[int, int]:
    """Insert the rows as incidents (bulk, parents first); returns task id → generated row id."""
    import random

    from incidents import seeding

    rng = random.Random(1)
    context = seeding._load_context(rng, len(rows))
    first_id, first_number = seeding._reserve_task_ids(len(rows)), seeding._reserve_numbers(len(rows))
    mapping, batch = {}, []
    for offset, row in enumerate(rows):
        record = seeding._incident_row(rng, context, first_id + offset, first_number + offset, now)
        opened = now - timedelta(hours=row.hours_ago)
        record.update(
            title=row.title[:250],
            service_id=row.service_id,
            ci_id=None,
            opened=opened,
            state="new",
            category="new",
            assignee_id=None,
            responded=None,
            resolved=None,
            closed=None,
            updated=opened,
            resolution_code="",
            resolution_notes="",
            hold_reason="",
        )
        mapping[record["id"]] = row.id
        batch.append((record, row.description))
        if len(batch) == 20_000 or offset == len(rows) - 1:
            _write_batch(batch, seeding._write)
            batch = []
    return mapping


def _write_batch(batch, write) -> None:
    from django.db import transaction

    from itsm.core.models import Task

    with transaction.atomic():
        write([record for record, _ in batch])
        updates = [Task(pk=record["id"], description=description) for record, description in batch]
        Task.objects.bulk_update(updates, ["description"], batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database", action="store_true", help="Time the full job on DATABASE_URL.")
    args = parser.parse_args()
    on_database(args) if args.database else in_memory(args)


if __name__ == "__main__":
    main()
