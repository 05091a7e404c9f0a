"""Benchmark: the service desk overview (and the practice dashboards) at scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_incidents \\
        .venv/bin/python -m tests.bench.bench_dashboards --seed --rebuild

The database holds 1,000,000 incidents (`manage.py seed --incidents 1000000`) and 200,000
requested items (`manage.py seed_catalog --request-items 200000`). With `--seed` this script
adds, once, what is missing for the issue's scale: 50,000 changes and two SLA clocks per
incident (response and resolution, 2,000,000 clocks), in set-based SQL. The clocks follow each
incident's timestamps: met when it responded / resolved (breached when that took longer than
the definition's duration, counted in wall-clock time), cancelled with the incident, paused
while on hold, running otherwise. `--rebuild` rebuilds the dashboard rollups and times it.

It prints, after a warm-up, median and p95 server time and the SQL query count of each view
(the overview with each filter, every registered practice dashboard), the cost of an
incremental rollup refresh, and the peak RSS of streaming the 1,000,000-row CSV export. It
asserts nothing (not a timed test; pytest does not collect it).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHANGES = 50_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help="add the missing changes and SLA clocks")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the rollups (timed)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument("--skip-practice", action="store_true", help="time the overview only")
    parser.add_argument("--cold", action="store_true", help="clear the cache before every request")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    _setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The dashboard benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    if options.csv_child:
        _csv_child()
        return
    print(f"load average before: {os.getloadavg()}")
    if options.seed:
        _seed_changes()
        _seed_clocks()
    _volumes()
    if options.rebuild:
        from itsm.dashboards import rollups

        started = time.perf_counter()
        days = rollups.rebuild()
        print(f"rollups rebuilt: {days} days in {time.perf_counter() - started:.1f} s")
    _refresh_cost()
    urls = [
        (name, url) for name, url in _urls() if not (options.skip_practice and name.startswith("practice"))
    ]
    rows = [_measure(name, url, options.runs, options.warmup, options.cold) for name, url in urls]
    for row in rows:
        print(json.dumps(row), flush=True)
    if not options.skip_csv:
        _csv_rss()
    print(f"load average after: {os.getloadavg()}")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def _volumes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, count(*) FROM core_task GROUP BY kind ORDER BY kind")
        kinds = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM sla_slaclock")
        clocks = cursor.fetchone()[0]
    print(f"tasks by kind: {kinds}; SLA clocks: {clocks:,}")


def _seed_changes() -> None:
    """50,000 changes over the last two years (Task rows and their Change rows), once."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_task WHERE kind = 'change'")
        have = cursor.fetchone()[0]
        if have >= CHANGES:
            return
        missing = CHANGES - have
        started = time.perf_counter()
        with transaction.atomic():
            cursor.execute(
                """
                WITH made AS (
                    INSERT INTO core_task (number, kind, title, description, state, state_category, priority,
                        impact, urgency, opened_at, resolved_at, closed_at, updated_at, version,
                        assignment_group_id, service_id)
                    SELECT 'CHGB' || lpad(n::text, 8, '0'), 'change', 'Bench change ' || n, '',
                        CASE WHEN mod(n, 10) = 0 THEN 'scheduled' ELSE 'closed' END,
                        CASE WHEN mod(n, 10) = 0 THEN 'open' ELSE 'closed' END,
                        2 + mod(n, 3), 2, 2, opened,
                        CASE WHEN mod(n, 10) <> 0 THEN opened + interval '3 days' END,
                        CASE WHEN mod(n, 10) <> 0 THEN opened + interval '4 days' END, opened, 1,
                        (SELECT id FROM core_team ORDER BY id OFFSET mod(n, 3) LIMIT 1),
                        (SELECT id FROM cmdb_service ORDER BY id OFFSET mod(n, 5) LIMIT 1)
                    FROM (
                        SELECT n, now() - (n::float / %s) * interval '730 days' AS opened
                        FROM generate_series(1, %s) AS n
                    ) AS seq
                    RETURNING id, opened_at
                )
                INSERT INTO changes_change (task_ptr_id, change_type, reason, implementation_plan,
                    backout_plan, test_plan, planned_start, planned_end, risk, risk_score, risk_evidence,
                    close_code, close_notes, cancel_reason, blackout_override_reason)
                SELECT id,
                    CASE WHEN mod(id, 20) = 0 THEN 'emergency' WHEN mod(id, 3) = 0 THEN 'standard'
                        ELSE 'normal' END,
                    '', '', '', '', opened_at + interval '1 day', opened_at + interval '1 day 2 hours',
                    'low', 0, '{}', '', '', '', ''
                FROM made
                """,
                [missing, missing],
            )
        print(f"seeded {missing:,} changes in {time.perf_counter() - started:.1f} s")


def _seed_clocks() -> None:
    """A response and a resolution clock per incident (the bench's 2,000,000 SLA clocks), once."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sla_slaclock")
        if cursor.fetchone()[0] >= 2_000_000:
            return
        cursor.execute("SELECT id, target, duration FROM sla_sladefinition WHERE name LIKE %s", ["%ncident%"])
        definitions = cursor.fetchall()
        response = {d[0] for d in definitions if d[1] == "response"}
        resolution = {d[0] for d in definitions if d[1] == "resolution"}
        if len(response) < 2 or len(resolution) < 3:
            sys.exit("The bench needs the demo incident SLA definitions (manage.py seed_demo).")
        started = time.perf_counter()
        r_fast, r_slow = sorted(response)[:2]
        p1, p2, p3 = sorted(resolution)[:3]
        with transaction.atomic():
            for target, definition_sql, done_at, done_when in (
                (
                    "response",
                    f"CASE WHEN t.priority <= 2 THEN {r_fast} ELSE {r_slow} END",
                    "t.responded_at",
                    "t.responded_at IS NOT NULL",
                ),
                (
                    "resolution",
                    f"CASE t.priority WHEN 1 THEN {p1} WHEN 2 THEN {p2} ELSE {p3} END",
                    "t.resolved_at",
                    "t.state_category IN ('resolved', 'closed') AND t.resolved_at IS NOT NULL",
                ),
            ):
                cursor.execute(
                    f"""
                    INSERT INTO sla_slaclock (target, stage, stop_reason, started_at, running_since,
                        paused_since, elapsed, target_duration, due_at, warned_percent, breached_at,
                        stopped_at, next_event_at, task_id, team_id, definition_id)
                    SELECT '{target}', c.stage,
                        CASE c.stage WHEN 'met' THEN '{"responded" if target == "response" else "resolved"}'
                            WHEN 'cancelled' THEN 'task_cancelled' ELSE '' END,
                        t.opened_at,
                        CASE WHEN c.stage = 'running' THEN t.opened_at END,
                        CASE WHEN c.stage = 'paused' THEN t.updated_at END,
                        interval '0', d.duration,
                        CASE WHEN c.stage = 'running' THEN t.opened_at + d.duration END,
                        CASE WHEN c.late THEN 100 WHEN c.stage IN ('running', 'paused')
                            AND now() > t.opened_at + d.duration * 0.5 THEN 50 ELSE 0 END,
                        CASE WHEN c.late THEN t.opened_at + d.duration END,
                        CASE c.stage WHEN 'met' THEN {done_at}
                            WHEN 'cancelled' THEN coalesce(t.closed_at, t.updated_at) END,
                        CASE WHEN c.stage = 'running' AND NOT c.late THEN t.opened_at + d.duration END,
                        t.id, NULL, d.id
                    FROM core_task t
                    JOIN sla_sladefinition d ON d.id = {definition_sql}
                    CROSS JOIN LATERAL (
                        SELECT CASE WHEN t.state_category = 'cancelled' THEN 'cancelled'
                            WHEN {done_when} THEN 'met'
                            WHEN t.state = 'on_hold' AND '{target}' = 'resolution' THEN 'paused'
                            ELSE 'running' END AS stage,
                            coalesce({done_at}, now()) > t.opened_at + d.duration AS late
                    ) c
                    WHERE t.kind = 'incident'
                        AND NOT EXISTS (
                            SELECT 1 FROM sla_slaclock x WHERE x.task_id = t.id AND x.target = '{target}'
                        )
                    """
                )
        cursor.execute("ANALYZE sla_slaclock")
        print(f"seeded SLA clocks in {time.perf_counter() - started:.1f} s")


def _refresh_cost() -> None:
    from itsm.dashboards import rollups

    for _ in range(2):
        started = time.perf_counter()
        days = rollups.refresh()
        print(f"incremental rollup refresh: {days} days in {(time.perf_counter() - started) * 1000:.0f} ms")


def _manager():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name="manager", is_active=True).order_by("pk").first()


def _urls() -> list[tuple[str, str]]:
    from django.db import connection
    from django.urls import reverse

    from itsm.dashboards import registry

    home = reverse("dashboards:home")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT assignment_group_id, count(*) FROM core_task WHERE kind = 'incident' "
            "AND assignment_group_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        team = cursor.fetchone()[0]
        cursor.execute(
            "SELECT service_id, count(*) FROM core_task WHERE kind = 'incident' "
            "AND service_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        )
        service = cursor.fetchone()[0]
    urls = [
        ("overview, last 30 days", home),
        ("overview, last 7 days", f"{home}?period=7"),
        ("overview, last 90 days (weekly)", f"{home}?period=90"),
        ("overview, 1 year custom (weekly)", f"{home}?period=custom&start=2025-11-26&end=2026-11-25"),
        ("overview, team", f"{home}?period=30&team={team}"),
        ("overview, service", f"{home}?period=30&service={service}"),
        ("overview, priority P1", f"{home}?period=30&priority=1"),
        ("overview, team + service + P3", f"{home}?period=90&team={team}&service={service}&priority=3"),
    ]
    for board in registry.boards():
        url = reverse("dashboards:practice", args=[board.key])
        urls.append((f"practice: {board.key}, 30 days", url))
        urls.append((f"practice: {board.key}, 90 days + team", f"{url}?period=90&team={team}"))
    return urls


def _measure(name: str, url: str, runs: int, warmup: int, cold: bool = False) -> dict:
    """Server time of `runs` requests; `cold` clears the cache first (the first view after a refresh)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_manager())
    for _ in range(warmup):
        _get(client, url)
    times, counts = [], set()
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            _get(client, url)
            times.append((time.perf_counter() - started) * 1000)
        counts.add(len(captured))
    ordered = sorted(times)
    return {
        "view": name + (" (cold cache)" if cold else ""),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        "queries": sorted(counts),
        "load": os.getloadavg()[0],
    }


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def _csv_rss() -> None:
    """Stream every incident as CSV in a child process; report its rows, time and peak RSS."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_dashboards", "--csv-child"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    print(result.stdout.strip(), f"(wall {time.perf_counter() - started:.1f} s)")


def _csv_child() -> None:
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_manager())
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = client.get(reverse("dashboards:export_records") + "?kind=incident")
    rows = size = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        size += len(chunk)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"CSV export: {rows - 1:,} rows, {size / 2**20:.0f} MiB, peak RSS {peak / 1024:.0f} MiB "
        f"(before the export {baseline / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
