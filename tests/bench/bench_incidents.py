"""Benchmark: the incident pages and API on a database that holds 1,000,000 incidents (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_incidents \\
        .venv/bin/python -m tests.bench.bench_incidents

The database must already hold the incidents (`manage.py seed --incidents 1000000`); this
script reads it and leaves it as it found it (the incidents it creates through the API, the
temporary SLA definitions and the API token are deleted at the end). It prints:

1. each queue page, a second and a deep page, a filtered queue (group + state + priority
   sort), the record page and the API list: median and p95 server time and the SQL query
   count, in-process with Django's test client and CaptureQueriesContext, after a warm-up;
2. the raw SQL of the queue page's row query, timed alone, and the ratio page / SQL;
3. API create throughput against gunicorn on 127.0.0.1 (`--port`), with one client and with
   eight concurrent clients, through the whole write path (numbering, routing, timeline,
   SLA clocks, outbox); the Celery broker is in memory (`memory://`), so the after-commit
   dispatch costs what publishing to a broker costs and no worker runs;
4. with `--small-url`, the queue pages again on a database with ~1,000 incidents (created,
   migrated and seeded here when it does not exist), to show the query counts are the same.

It prints figures and asserts nothing (not a timed test; pytest does not collect it).
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
ACTIVE = "state_category IN ('new', 'open', 'pending')"
#: The indexes docs/performance.md asks for, by name: (columns, condition). With
#: `--proposed-indexes` they are built (CONCURRENTLY) before the run and dropped after it.
PROPOSED_INDEXES = {
    "bench_tmp_open_priority": ("priority, id", ACTIVE),
    "bench_tmp_open_assignee": ("assignee_id, priority, id", ACTIVE),
    "bench_tmp_open_group": ("assignment_group_id, priority, id", ACTIVE),
    "bench_tmp_unassigned": ("priority, id", f"{ACTIVE} AND assignee_id IS NULL"),
    "bench_tmp_opened": ("opened_at, id", ""),
    "bench_tmp_on_hold": ("updated_at, id", "state = 'on_hold'"),
}


def main() -> None:
    options = _options()
    _setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The incident benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    if options.pages_only:
        print(json.dumps(_page_figures(options.runs, options.warmup)))
        return
    _machine()
    if options.api_only:
        _api_create(options)
        return
    if options.proposed_indexes:
        _build_indexes()
    try:
        pages = _page_figures(options.runs, options.warmup)
        _print_pages("At the database's size", pages)
        _raw_sql(options.runs)
        if not options.skip_api:
            _api_create(options)
        if options.small_url:
            _small(options, pages)
    finally:
        if options.proposed_indexes:
            _drop_indexes()


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50, help="Timed requests per page (after the warm-up).")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page first.")
    parser.add_argument("--port", type=int, default=8301, help="Loopback port for gunicorn (8301-8310).")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers.")
    parser.add_argument("--creates", type=int, default=300, help="Incidents created by the single client.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients in the second run.")
    parser.add_argument("--creates-each", type=int, default=100, help="Incidents per concurrent client.")
    parser.add_argument("--skip-api", action="store_true", help="Leave out the API create runs.")
    parser.add_argument("--api-only", action="store_true", help="Only the API create runs (no pages).")
    parser.add_argument(
        "--small-url",
        default="",
        help="DATABASE_URL of a ~1,000-incident database to compare query counts with (created if missing).",
    )
    parser.add_argument(
        "--proposed-indexes",
        action="store_true",
        help="Build the indexes proposed in docs/performance.md for the run (dropped afterwards).",
    )
    parser.add_argument("--pages-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import warnings

    import django

    # whitenoise warns once per process about the collectstatic folder, which pages do not need.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def _machine() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'incidents_incident'")
        estimate = cursor.fetchone()[0]
    print(f"machine: {os.cpu_count()} cores, load {_load()}; PostgreSQL {version}; ~{estimate:,} incidents")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def _build_indexes() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for name, (columns, condition) in PROPOSED_INDEXES.items():
            where = f" WHERE {condition}" if condition else ""
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON core_task ({columns}){where}")
        cursor.execute("ANALYZE core_task")
    print(f"built the {len(PROPOSED_INDEXES)} proposed indexes in {time.perf_counter() - started:.1f} s")


def _drop_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in PROPOSED_INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    print("dropped the proposed indexes again")


# --- pages ------------------------------------------------------------------------------


def _world() -> dict:
    """Who browses (the agent with the most open work) and what (a busy group, a typical record)."""
    from django.db.models import Count

    from incidents.models import Incident
    from itsm.core.models import Team

    agents = (
        Incident.objects.active()
        .filter(assignee__teams__isnull=False)
        .values("assignee")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    agent_id = agents.first()["assignee"]
    group = Team.objects.filter(members=agent_id).order_by("pk").first()
    record = Incident.objects.active().filter(assignee=agent_id).order_by("-opened_at").first()
    return {"agent_id": agent_id, "group": group, "record": record}


def _urls(world: dict) -> list[tuple[str, str]]:
    from django.urls import reverse

    from incidents.models import Incident
    from incidents.queues import SORTS, encode_cursor

    queue = lambda slug: reverse("incident:queue", args=[slug])  # noqa: E731
    deep = Incident.objects.order_by("-opened_at", "-pk").values_list("opened_at", "pk")[500_000:500_001]
    deep_cursor = encode_cursor(SORTS["-opened"], deep[0]) if deep else ""
    active = Incident.objects.active().order_by("priority", "pk").values_list("priority", "pk")
    middle = active[active.count() // 2 : active.count() // 2 + 1]
    urls = [
        (f"queue {slug}", queue(slug)) for slug in ("mine", "unassigned", "open", "on-hold", "major", "all")
    ]
    urls += [
        ("queue open, middle page", f"{queue('open')}?after={encode_cursor(SORTS['priority'], middle[0])}"),
        ("queue all, page at row 500,000", f"{queue('all')}?after={deep_cursor}"),
        (
            "queue open, group + state + priority",
            f"{queue('open')}?assignment_group={world['group'].pk}&state=in_progress&sort=priority",
        ),
        ("record page", reverse("incident:detail", args=[world["record"].pk])),
        ("API list", "/api/v1/incidents/"),
        ("API list, open, by priority", "/api/v1/incidents/?state_category=open&ordering=priority"),
    ]
    return urls


def _page_figures(runs: int, warmup: int) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    world = _world()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(pk=world["agent_id"]))
    return [_measure(client, name, url, runs, warmup) for name, url in _urls(world)]


def _measure(client, name: str, url: str, runs: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        _get(client, url)
    times, counts = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            _get(client, url)
            times.append((time.perf_counter() - started) * 1000)
        counts.add(len(captured))
    return {"name": name, "url": url, **_stats(times), "queries": sorted(counts)}


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
    }


def _print_pages(title: str, pages: list[dict]) -> None:
    print(f"\n{title}")
    print(f"  {'page':<40} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}  queries")
    for row in pages:
        queries = "/".join(str(n) for n in row["queries"])
        print(f"  {row['name']:<40} {row['median']:>10.1f} {row['p95']:>8.1f} {row['max']:>8.1f}  {queries}")


# --- raw SQL ----------------------------------------------------------------------------


def _raw_sql(runs: int) -> None:
    """The queue page's row query, timed alone through the same connection, against the whole page."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    world = _world()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(pk=world["agent_id"]))
    print("\nRaw SQL of the page's row query (the same statement, alone) against the whole page")
    for name, url in (
        ("queue open", reverse("incident:queue", args=["open"])),
        (
            "queue open, group + state + priority",
            f"{reverse('incident:queue', args=['open'])}?assignment_group={world['group'].pk}"
            "&state=in_progress&sort=priority",
        ),
    ):
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        statement = next(q["sql"] for q in captured.captured_queries if "LIMIT 51" in q["sql"])
        page = _measure(client, name, url, runs, 3)
        raw = _time_sql(statement, runs)
        print(
            f"  {name:<40} page median {page['median']:.1f} ms, SQL median {raw['median']:.2f} ms "
            f"(p95 {raw['p95']:.2f}); page / SQL = {page['median'] / raw['median']:.1f}"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
            plan = "\n".join(f"      {row[0]}" for row in cursor.fetchall())
        print(plan)


def _time_sql(statement: str, runs: int) -> dict:
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for n in range(runs + 3):
            started = time.perf_counter()
            cursor.execute(statement)
            cursor.fetchall()
            if n >= 3:
                times.append((time.perf_counter() - started) * 1000)
    return _stats(times)


# --- API create throughput --------------------------------------------------------------


def _api_create(options: argparse.Namespace) -> None:
    """Creates through gunicorn: one client, then several at once; everything made is removed after."""
    from itsm.api.models import ApiToken

    world = _world()
    agent = world["group"].members.get(pk=world["agent_id"])
    token, key = ApiToken.issue(agent, "incident benchmark (temporary)")
    sla = _temporary_sla()
    server = _start_gunicorn(options)
    created: list[int] = []
    try:
        print(f"\nAPI create through gunicorn ({options.workers} sync workers, 127.0.0.1:{options.port})")
        _create_run(options.port, key, options.workers, 5, created, label="warm-up (not counted)")
        _create_run(options.port, key, 1, options.creates, created)
        _create_run(options.port, key, options.clients, options.creates_each, created)
    finally:
        _stop(server)
        _clean_up(created, token, sla)


def _temporary_sla() -> dict:
    """Response and resolution targets for incidents, so each create attaches two SLA clocks."""
    from datetime import timedelta

    from itsm.sla.choices import Target
    from itsm.sla.models import Calendar, SLADefinition
    from itsm.sla.services import create_calendar
    from itsm.sla.services.calendars import full_day_windows

    # Leftovers of a run that was stopped before it could clean up.
    SLADefinition.objects.filter(name__startswith="Incident benchmark").delete()
    Calendar.objects.filter(name="Incident benchmark 24x7").delete()
    calendar = create_calendar(name="Incident benchmark 24x7", time_zone="UTC", windows=full_day_windows())
    definitions = [
        SLADefinition.objects.create(
            name=f"Incident benchmark {target}",
            target=target,
            duration=duration,
            calendar=calendar,
            kinds=["incident"],
        )
        for target, duration in (
            (Target.RESPONSE, timedelta(hours=4)),
            (Target.RESOLUTION, timedelta(days=3)),
        )
    ]
    return {"calendar": calendar, "definitions": definitions}


def _start_gunicorn(options: argparse.Namespace) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "CELERY_BROKER_URL": "memory://localhost/",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "itsm.wsgi",
        "--bind",
        f"127.0.0.1:{options.port}",
        "--workers",
        str(options.workers),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", options.port, timeout=2)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    _stop(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _create_run(port: int, key: str, clients: int, each: int, created: list[int], label: str = "") -> None:
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(client_no: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(each):
            body = json.dumps(
                {
                    "title": f"Benchmark create {client_no}-{n}",
                    "description": "Created by the benchmark.",
                    "urgency": 2,
                }
            )
            started = time.perf_counter()
            connection.request(
                "POST",
                "/api/v1/incidents/",
                body=body,
                headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            )
            response = connection.getresponse()
            payload = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if response.status == 201:
                    times.append(elapsed)
                    created.append(json.loads(payload)["id"])
                else:
                    failures.append(f"{response.status}: {payload[:200]!r}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    stats = _stats(times) if times else {"median": 0, "p95": 0, "max": 0}
    who = label or f"{clients} client{'s' if clients > 1 else ''}"
    print(
        f"  {who}: {len(times)} created in {elapsed:.1f} s = "
        f"{len(times) / elapsed:.0f}/s; per request median {stats['median']:.1f} ms, "
        f"p95 {stats['p95']:.1f} ms" + (f"; {len(failures)} failed, first: {failures[0]}" if failures else "")
    )


def _clean_up(created: list[int], token, sla: dict) -> None:
    from django.db import transaction

    from itsm.core.models import Task
    from itsm.notifications.models import OutboxMessage
    from itsm.sla.models import SLAClock

    with transaction.atomic():
        OutboxMessage.objects.filter(task_id__in=created).delete()
        SLAClock.objects.filter(definition__in=sla["definitions"]).delete()
        Task.objects.filter(pk__in=created).delete()
        for definition in sla["definitions"]:
            definition.delete()
        sla["calendar"].delete()
        token.delete()
    print(f"  removed the {len(created)} incidents created here, the temporary SLA definitions and token")


# --- the same pages on a small database -------------------------------------------------


def _small(options: argparse.Namespace, large: list[dict]) -> None:
    """Prepare the small database if needed, run the page figures there, compare query counts."""
    env = {**os.environ, "DATABASE_URL": options.small_url}
    if not _has_incidents(options.small_url):
        name = urlparse(options.small_url).path.lstrip("/")
        print(f"\npreparing {name}: migrate, seed_demo, seed --incidents 1000")
        for command in (["migrate", "-v0"], ["seed_demo"], ["seed", "--incidents", "1000"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_incidents", "--pages-only", "--runs", str(options.runs)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    small = json.loads(result.stdout.strip().splitlines()[-1])
    _print_pages("On the small database (~1,000 incidents)", small)
    print("\nQueries per page, small database → large database")
    for few, many in zip(small, large, strict=True):
        same = "same" if few["queries"] == many["queries"] else "DIFFERENT"
        print(f"  {few['name']:<40} {few['queries']} → {many['queries']}  {same}")


def _has_incidents(url: str) -> bool:
    import psycopg2

    parsed = urlparse(url)
    try:
        connection = psycopg2.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            dbname=parsed.path.lstrip("/"),
        )
    except psycopg2.OperationalError:
        _create_database(parsed)
        return False
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('incidents_incident') IS NOT NULL")
        exists = cursor.fetchone()[0]
        if exists:
            cursor.execute("SELECT count(*) FROM incidents_incident")
            exists = cursor.fetchone()[0] > 0
    connection.close()
    return exists


def _create_database(parsed) -> None:
    import psycopg2

    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{parsed.path.lstrip("/")}"')
    admin.close()


if __name__ == "__main__":
    main()
