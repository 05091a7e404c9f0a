"""Benchmark: the SLA sweep and clock services on 1,000,000 open clocks (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench .venv/bin/python -m tests.bench.bench_sla

Builds a throwaway database (`bench_<name>`, created, migrated and dropped here, like the
test runner's), bulk-loads tasks and then their running clocks with COPY, and prints:

1. a sweep with nothing due: p50/p95/max in ms, the queries it sends, EXPLAIN ANALYZE;
2. 10,000 clocks falling due at once, processed by 2 and by 4 sweeping processes (a worker
   with `--concurrency N` while the sweep re-enqueues itself): seconds, events written,
   notifications and e-mails queued;
3. attaching clocks to a new task: p50/p95 ms (and task creation + attach);
4. breach latency with a beat-like sweep every 5 s: recorded minus due time, p50/p99/max;
5. a calendar edit re-computing 50,000 running clocks in the background while sweeps run:
   job duration and progress, and the sweeps meanwhile;
6. the sweep with nothing due again, after the bursts left dead index entries and statistics
   gathered while 10,000 clocks were due.

Options: --clocks N, --due N, --workers N[,N...], --recompute N. Delivery is not measured: the
e-mails are outbox rows whose dispatch goes to an in-memory broker (`memory://`).
It prints figures; it asserts nothing (not a timed test; pytest does not collect it).
"""

import argparse
import csv
import io
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

CHUNK = 100_000


def main() -> None:
    options = _options()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    os.environ["CELERY_BROKER_URL"] = "memory://"  # after-commit dispatches stay in this process
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The SLA benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    settings = connection.settings_dict
    settings["TEST"] = {**settings.get("TEST", {}), "NAME": f"bench_{settings['NAME']}"}
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"created and migrated {settings['NAME']} in {time.perf_counter() - started:.1f} s")
    try:
        _run(options)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clocks", type=int, default=1_000_000, help="Open clocks (one task each).")
    parser.add_argument("--due", type=int, default=10_000, help="Clocks falling due at once.")
    parser.add_argument(
        "--workers", default="2,4", help="Sweeping processes for the due clocks; a list measures each."
    )
    parser.add_argument(
        "--recompute", type=int, default=50_000, help="Running clocks on the edited calendar."
    )
    return parser.parse_args()


def _run(options: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores; load average at start: {_load()}")
    world = _build(options)
    _nothing_due("1. sweep with nothing due")
    for run, workers in enumerate(int(n) for n in options.workers.split(",")):
        _falling_due(world, options, workers, run)
    _attach_latency(world)
    _breach_latency(world)
    _calendar_edit(world, options)
    _nothing_due("6. sweep with nothing due again, after the bursts (statistics taken while 10,000 were due)")
    print(f"\nload average at the end: {_load()}")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# --- building ---------------------------------------------------------------------------


def _build(options: argparse.Namespace) -> dict:
    """Users, a group, two calendars, definitions; then tasks and their clocks with COPY."""
    from django.db import connection
    from django.utils import timezone

    from itsm.core.models import Task, Team
    from itsm.sla.choices import Target
    from itsm.sla.models import SLAClock, SLADefinition
    from itsm.sla.services import create_calendar
    from itsm.sla.services.calendars import full_day_windows
    from tests.factories import UserFactory

    owner = UserFactory(username="olga.owner", roles=["agent"])
    group = Team.objects.create(name="Service Desk", lead=owner)
    group.members.add(owner)
    always = create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
    office = create_calendar(name="Office", time_zone="Europe/Berlin", windows=_office_windows())
    resolution = SLADefinition.objects.create(
        name="Resolution 3 days", target=Target.RESOLUTION, duration=timedelta(days=3), calendar=always
    )
    office_resolution = SLADefinition.objects.create(
        name="Resolution 5 business days",
        target=Target.RESOLUTION,
        duration=timedelta(hours=40),
        calendar=office,
        kinds=["problem"],
    )
    SLADefinition.objects.create(
        name="Response 4 h", target=Target.RESPONSE, duration=timedelta(hours=4), calendar=always
    )
    now = timezone.now()
    started = time.perf_counter()
    first_task = _copy_tasks(options.clocks, owner.pk, group.pk, now)
    print(f"copied {options.clocks:,} tasks in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    _copy_clocks(options, first_task, resolution, office_resolution, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"copied {options.clocks:,} running clocks in {time.perf_counter() - started:.1f} s")
    print(f"open clocks: {SLAClock.objects.open().count():,}; tasks: {Task.objects.count():,}")
    return {"owner": owner, "group": group, "always": always, "office": office, "resolution": resolution}


def _office_windows() -> list[dict]:
    from datetime import time as clock_time

    return [
        {"weekday": day, "start": clock_time(*start), "end": clock_time(*end)}
        for day in range(5)
        for start, end in (((8, 0), (12, 0)), ((13, 0), (17, 0)))
    ]


def _copy_tasks(count: int, owner_id: int, group_id: int, now) -> int:
    """COPY `count` open tasks; returns the first task id."""
    from itsm.core.models import Task

    columns = [
        "number",
        "kind",
        "title",
        "description",
        "state",
        "state_category",
        "priority",
        "impact",
        "urgency",
        "requester_id",
        "assignment_group_id",
        "assignee_id",
        "opened_at",
        "updated_at",
        "version",
    ]
    opened = now.isoformat()
    for start in range(0, count, CHUNK):
        rows = (
            (f"BENCH{n:08d}", "incident", f"Benchmark task {n}", "", "in_progress", "open", 3, 2, 2,
             owner_id, group_id, owner_id, opened, opened, 1)
            for n in range(start, min(start + CHUNK, count))
        )  # fmt: skip
        _copy("core_task", columns, rows)
    return Task.objects.order_by("pk").values_list("pk", flat=True).first()


def _copy_clocks(options, first_task: int, resolution, office_resolution, now) -> None:
    """One running resolution clock per task, next events spread over the coming 30 days.

    The last `--recompute` clocks run on the office calendar (the calendar-edit test edits it).
    """
    columns = [
        "task_id",
        "definition_id",
        "target",
        "stage",
        "stop_reason",
        "started_at",
        "running_since",
        "elapsed",
        "target_duration",
        "due_at",
        "warned_percent",
        "next_event_at",
    ]
    office_from = options.clocks - options.recompute
    for start in range(0, options.clocks, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, options.clocks)):
            definition = office_resolution if n >= office_from else resolution
            next_event = now + timedelta(hours=1, seconds=(n * 7919) % (30 * 86400))
            rows.append(
                (first_task + n, definition.pk, "resolution", "running", "", now.isoformat(), now.isoformat(),
                 "0", "259200 seconds", next_event.isoformat(), 0, next_event.isoformat())
            )  # fmt: skip
        _copy("sla_slaclock", columns, rows)


def _copy(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


# --- 1. nothing due ---------------------------------------------------------------------


def _nothing_due(heading: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from itsm.sla.models import SLAClock
    from itsm.sla.services import sweep_due_clocks
    from itsm.sla.services.firing import first_due
    from itsm.sla.tasks import SWEEP_BATCH

    timings = []
    for _ in range(200):
        started = time.perf_counter()
        taken = sweep_due_clocks(timezone.now(), SWEEP_BATCH)
        timings.append((time.perf_counter() - started) * 1000)
        assert taken == 0
    with CaptureQueriesContext(connection) as queries:
        sweep_due_clocks(timezone.now(), SWEEP_BATCH)
    print(f"\n{heading} ({SLAClock.objects.open().count():,} open clocks), 200 runs:")
    print(f"   {_figures(timings)} ms; {len(queries)} query: {queries[0]['sql']}")
    sql, params = first_due(timezone.now()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("   EXPLAIN ANALYZE of the sweep's first query:")
        for (line,) in cursor.fetchall():
            print("     ", line)


# --- 2. 10,000 falling due --------------------------------------------------------------


def _falling_due(world: dict, options: argparse.Namespace, workers: int, run: int) -> None:
    from django.db import connection, connections
    from django.utils import timezone

    from itsm.sla.models import SLAClock

    now = timezone.now()
    # N clocks breach now: 3 days used of 3 days, the warnings already behind them.
    ids = list(
        SLAClock.objects.filter(definition=world["resolution"])
        .order_by("pk")
        .values_list("pk", flat=True)[run * options.due : (run + 1) * options.due]
    )
    SLAClock.objects.filter(pk__in=ids).update(
        running_since=now - timedelta(days=3, seconds=1),
        warned_percent=90,
        due_at=now - timedelta(seconds=1),
        next_event_at=now - timedelta(seconds=1),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sla_slaclock")
    before = _outcome()
    connections.close_all()
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        taken = list(pool.map(_sweep_until_done, range(workers)))
    elapsed = time.perf_counter() - started
    events, entries, notifications, mails = (after - b for after, b in zip(_outcome(), before, strict=True))
    print(f"\n2. {options.due:,} clocks falling due at once, {workers} sweeping processes (load {_load()}):")
    print(
        f"   all processed in {elapsed:.1f} s ({options.due / elapsed:,.0f} clocks/s); per process: {taken}"
    )
    print(
        f"   events written: {events:,} breaches; timeline entries: {entries:,}; "
        f"in-app notifications: {notifications:,}; e-mails queued in the outbox: {mails:,}"
    )


def _outcome() -> tuple[int, int, int, int]:
    from itsm.core.models import TimelineEntry
    from itsm.notifications.models import Notification, OutboxMessage
    from itsm.sla.models import SLAEvent

    return (
        SLAEvent.objects.filter(kind="breached").count(),
        TimelineEntry.objects.filter(action="sla.breached").count(),
        Notification.objects.count(),
        OutboxMessage.objects.count(),
    )


def _sweep_until_done(_worker: int) -> int:
    """One sweeping process: what a worker process does while the sweep re-enqueues itself."""
    from django.db import connections
    from django.utils import timezone

    from itsm.sla.services import sweep_due_clocks
    from itsm.sla.tasks import SWEEP_BATCH

    taken = 0
    try:
        while got := sweep_due_clocks(timezone.now(), SWEEP_BATCH):
            taken += got
    finally:
        connections.close_all()
    return taken


# --- 3. attaching -----------------------------------------------------------------------


def _attach_latency(world: dict) -> None:
    from django.db import transaction

    from itsm.core.models import Task
    from itsm.core.services.numbering import next_number
    from itsm.sla.services import attach_clocks

    attach, total = [], []
    for n in range(300):
        started = time.perf_counter()
        with transaction.atomic():
            task = Task.objects.create(
                number=next_number("incident"),
                kind="incident",
                title=f"New task {n}",
                state="new",
                state_category="new",
                requester=world["owner"],
                assignment_group=world["group"],
            )
            before_attach = time.perf_counter()
            clocks = attach_clocks(task)
            attach.append((time.perf_counter() - before_attach) * 1000)
        total.append((time.perf_counter() - started) * 1000)
        assert len(clocks) == 2
    print("\n3. attaching clocks to a new task (response + resolution, 3 active definitions), 300 tasks:")
    print(f"   attach_clocks: {_figures(attach[20:])} ms")
    print(f"   create task + attach + commit: {_figures(total[20:])} ms")


# --- 4. breach latency ------------------------------------------------------------------


def _breach_latency(world: dict) -> None:
    """Clocks breaching at spread instants over 30 s; a beat-like loop sweeps every 5 s."""
    from django.utils import timezone

    from itsm.sla.models import SLAClock, SLAEvent
    from itsm.sla.services import sweep_due_clocks
    from itsm.sla.tasks import SWEEP_BATCH

    now = timezone.now()
    count = 1000
    rows = list(
        SLAClock.objects.filter(definition=world["resolution"], next_event_at__gt=now)
        .order_by("-pk")
        .values_list("pk", flat=True)[:count]
    )
    for index, pk in enumerate(rows):
        due = now + timedelta(seconds=5 + 30 * index / count)
        SLAClock.objects.filter(pk=pk).update(
            running_since=due - timedelta(days=3), warned_percent=90, due_at=due, next_event_at=due
        )
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        tick = time.monotonic()
        while sweep_due_clocks(timezone.now(), SWEEP_BATCH) == SWEEP_BATCH:
            pass
        time.sleep(max(0.0, 5 - (time.monotonic() - tick)))
    lags = [
        (recorded - at).total_seconds()
        for recorded, at in SLAEvent.objects.filter(kind="breached", clock_id__in=rows).values_list(
            "recorded_at", "at"
        )
    ]
    lags.sort()
    print(f"\n4. breach latency, {len(lags):,} clocks breaching over 30 s, a sweep every 5 s (like beat):")
    p99 = lags[int(len(lags) * 0.99) - 1]
    print(
        f"   recorded minus due: p50 {statistics.median(lags):.2f} s, p99 {p99:.2f} s, max {lags[-1]:.2f} s"
    )


# --- 5. calendar edit -------------------------------------------------------------------


def _calendar_edit(world: dict, options: argparse.Namespace) -> None:
    """Edit the office calendar (drop the lunch break) and re-compute its running clocks while
    another process sweeps every second (as beat and a second worker process would)."""
    from datetime import time as clock_time

    from django.db import connections, transaction

    from itsm.sla.models import ClockRecompute
    from itsm.sla.services import update_calendar
    from itsm.sla.services.recompute import run_recompute

    windows = [{"weekday": day, "start": clock_time(8), "end": clock_time(17)} for day in range(5)]
    with transaction.atomic():
        update_calendar(world["office"], changes={}, windows=windows)  # queues the job on commit
    job = ClockRecompute.objects.filter(calendar=world["office"]).latest("pk")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    results = context.Queue()
    sweeper = context.Process(target=_sweep_every_second, args=(stop, results))
    sweeper.start()
    started = time.perf_counter()
    try:
        run_recompute(job.pk)
    finally:
        stop.set()
        sweeps, in_database, taken = results.get(timeout=60)
        sweeper.join()
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    print(f"\n5. calendar edit re-computing {job.total:,} running clocks in the background:")
    print(
        f"   job {job.get_status_display().lower()}: {job.done:,}/{job.total:,} in {elapsed:.1f} s "
        f"({job.done / elapsed:,.0f} clocks/s); {len(sweeps)} sweeps meanwhile (they fired {taken} clocks)"
    )
    print(f"   sweep wall time meanwhile: {_figures(sweeps)} ms")
    print(f"   its query inside PostgreSQL meanwhile (EXPLAIN ANALYZE): {_figures(in_database)} ms")


def _sweep_every_second(stop, results) -> None:
    """A separate process sweeping once a second until told to stop; sends back its timings in ms."""
    from django.db import connections
    from django.utils import timezone

    from itsm.sla.services import sweep_due_clocks
    from itsm.sla.tasks import SWEEP_BATCH

    timings, in_database, taken = [], [], 0
    try:
        while not stop.is_set():
            started = time.perf_counter()
            taken += sweep_due_clocks(timezone.now(), SWEEP_BATCH)
            timings.append((time.perf_counter() - started) * 1000)
            in_database.append(_execution_ms())
            stop.wait(1)
    finally:
        connections.close_all()
        results.put((timings, in_database, taken))


def _execution_ms() -> float:
    """The sweep's first query as PostgreSQL executes it (EXPLAIN ANALYZE), without the round trip."""
    from django.db import connection
    from django.utils import timezone

    from itsm.sla.services.firing import first_due

    sql, params = first_due(timezone.now()).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE) {sql}", params)
        lines = [line for (line,) in cursor.fetchall()]
    return float(next(line for line in lines if line.startswith("Execution Time")).split()[2])


def _figures(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):.2f}, p95 {p95:.2f}, max {ordered[-1]:.2f}"


if __name__ == "__main__":
    main()
