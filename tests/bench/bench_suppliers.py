"""Benchmark of supplier performance (`suppliers.selectors.supplier_performance`) on many engagements.

Writes `--engagements` supplier engagements (Task rows of kind supplier engagement, each on its
own incident row) over 5 suppliers and 20 contracts, with a response and a resolution clock each
(stopped, a share over target), straight into the tables (services would take hours at this
size), then times the selector per supplier and per contract, and for one supplier's page.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_h_d
    .venv/bin/python manage.py migrate
    .venv/bin/python tests/bench/bench_suppliers.py --engagements 100000

PostgreSQL only. Run it on a database of its own: it adds rows (prefix BENCH) and leaves them
for further runs.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from itsm.core.models import Task  # noqa: E402
from itsm.sla.models import Calendar, SLAClock  # noqa: E402
from itsm.sla.services import create_calendar  # noqa: E402
from itsm.sla.services.calendars import full_day_windows  # noqa: E402
from suppliers import selectors, services  # noqa: E402
from suppliers.models import Contract, Supplier, SupplierEngagement  # noqa: E402

BATCH = 5000


def setup_contracts() -> list[Contract]:
    actor, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    calendar = Calendar.objects.filter(name="BENCH 24x7").first() or create_calendar(
        name="BENCH 24x7", time_zone="UTC", windows=full_day_windows()
    )
    contracts = []
    for s in range(5):
        supplier = Supplier.objects.filter(name=f"BENCH supplier {s}").first() or services.create_supplier(
            actor=actor, name=f"BENCH supplier {s}"
        )
        for c in range(4):
            reference = f"BENCH-{s}-{c}"
            contract = Contract.objects.filter(reference=reference).first() or services.create_contract(
                actor=actor,
                supplier=supplier,
                reference=reference,
                start_date=date(2020, 1, 1),
                support_hours=calendar,
                response_time=timedelta(hours=2),
                resolution_time=timedelta(hours=8),
            )
            contracts.append(contract)
    return contracts


def write(count: int, contracts: list[Contract], seed: int) -> None:
    rng = random.Random(seed)
    start = SupplierEngagement.objects.count()
    now = timezone.now()
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        with transaction.atomic():
            records = Task.objects.bulk_create(
                Task(kind="incident", number=f"BENCHI{start + offset + i}", title="bench", state="on_hold",
                     state_category="pending")
                for i in range(size)
            )  # fmt: skip
            picks = [rng.choice(contracts) for _ in range(size)]
            opened = [
                now - timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1439)) for _ in range(size)
            ]
            response = [timedelta(minutes=rng.randint(5, 200)) for _ in range(size)]
            resolution = [timedelta(minutes=rng.randint(60, 720)) for _ in range(size)]
            tasks = Task.objects.bulk_create(
                Task(kind="supplier_engagement", number=f"BENCHE{start + offset + i}", title="bench",
                     state="closed", state_category="closed", opened_at=opened[i],
                     responded_at=opened[i] + response[i], resolved_at=opened[i] + resolution[i])
                for i in range(size)
            )  # fmt: skip
            with connection.cursor() as cursor:
                # opened_at is auto_now_add: set the generated times afterwards, in one statement
                cursor.execute(
                    "UPDATE core_task SET opened_at = u.o "
                    "FROM unnest(%s::bigint[], %s::timestamptz[]) AS u(id, o) WHERE core_task.id = u.id",
                    [[t.pk for t in tasks], opened],
                )
                cursor.executemany(
                    "INSERT INTO suppliers_supplierengagement (task_ptr_id, record_id, record_kind, "
                    "supplier_id, contract_id, external_reference, reason) "
                    "VALUES (%s, %s, 'incident', %s, %s, '', 'bench')",
                    [
                        (t.pk, r.pk, c.supplier_id, c.pk)
                        for t, r, c in zip(tasks, records, picks, strict=True)
                    ],
                )
            clocks = []
            for t, c, o, resp, resol in zip(tasks, picks, opened, response, resolution, strict=True):
                for definition, used, target in (
                    (c.response_definition, resp, timedelta(hours=2)),
                    (c.resolution_definition, resol, timedelta(hours=8)),
                ):
                    clocks.append(
                        SLAClock(task_id=t.pk, definition=definition, target=definition.target, stage="met",
                                 stop_reason="resolved", started_at=o, elapsed=used, target_duration=target,
                                 stopped_at=o + used, breached_at=o + target if used > target else None)
                    )  # fmt: skip
            SLAClock.objects.bulk_create(clocks)
        print(f"  wrote {offset + size:,} of {count:,}", flush=True)


def timed(call, repeat: int = 5) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engagements", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    contracts = setup_contracts()
    missing = args.engagements - SupplierEngagement.objects.count()
    if missing > 0:
        write(missing, contracts, args.seed)
    total = SupplierEngagement.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE core_task; ANALYZE suppliers_supplierengagement; ANALYZE sla_slaclock")
    one = contracts[0].supplier
    cases = [
        ("per supplier, all", lambda: selectors.supplier_performance()),
        ("per contract, all", lambda: selectors.supplier_performance(by="contract")),
        (
            "one supplier (its page)",
            lambda: selectors.supplier_performance(
                engagements=SupplierEngagement.objects.filter(supplier=one)
            ),
        ),
        (
            "per supplier, last 30 days",
            lambda: selectors.supplier_performance(since=timezone.now() - timedelta(days=30)),
        ),
    ]
    print(
        f"engagements {total:,}, clocks {SLAClock.objects.filter(task__kind='supplier_engagement').count():,}"
    )
    for name, call in cases:
        seconds, result = timed(call)
        sample = next(iter(result.values()))
        print(
            f"{name:28} {seconds * 1000:8.1f} ms  ({len(result)} rows; e.g. {sample.compliance_percent}% met)"
        )


if __name__ == "__main__":
    main()
