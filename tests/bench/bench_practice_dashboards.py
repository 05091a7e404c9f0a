"""Benchmark: the practice dashboards and their drill-down lists at scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_incidents \\
        .venv/bin/python -m tests.bench.bench_practice_dashboards --runs 10

Read-only apart from the benchmark manager's session: run `bench_dashboards --seed` first for
the changes and `manage.py rebuild_request_rollups` for the Requests board's rollup. Prints
median and p95 server time and the query count of every registered board (30 and 90 days, and
90 days for the busiest team) and of one drill-down list per board, with the load average; then,
in-process, the Requests figures from the rollup against the same figures computed live, and one
figure for the improvement register's before/after chart (`registry.metric_value`, a period that
is not whole days) against a whole board build. Reuses the overview benchmark's helpers
(`tests/bench/bench_dashboards.py`); asserts nothing.
"""

import argparse
import json
import os
import statistics
import time

from tests.bench import bench_dashboards as overview

DRILLS = {
    "problems": "opened",
    "changes": "completed",
    "requests": "fulfilled",
    "knowledge": "uses",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    options = parser.parse_args()
    overview._setup_django()
    from django.urls import reverse

    from itsm.dashboards import registry

    print(f"load average before: {os.getloadavg()}")
    for board in registry.boards():
        page = reverse("dashboards:practice", args=[board.key])
        urls = [
            (f"{board.key}, 30 days", page),
            (f"{board.key}, 90 days", f"{page}?period=90"),
            (f"{board.key}, 90 days, busiest team", f"{page}?period=90&team={_busiest_team()}"),
        ]
        if board.key in DRILLS:
            drill = reverse("dashboards:practice_records", args=[board.key, DRILLS[board.key]])
            urls.append((f"{board.key} drill-down '{DRILLS[board.key]}', 30 days", drill))
        for name, url in urls:
            print(json.dumps(overview._measure(name, url, options.runs, options.warmup)), flush=True)
    _requests_in_process(options.runs)
    print(f"load average after: {os.getloadavg()}")


def _busiest_team() -> int:
    from django.db.models import Count

    from itsm.core.models import Task

    row = (
        Task.objects.filter(kind="request_item", assignment_group__isnull=False)
        .values("assignment_group_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return row["assignment_group_id"] if row else 0


def _timed(name: str, call, runs: int) -> None:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    row = {"view": name, "median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}
    print(json.dumps({**row, "load": os.getloadavg()[0]}), flush=True)


def _comparable(counts) -> tuple:
    names = ("catalog_item_id", "requested", "fulfilled", "on_time")
    groups = sorted(
        (*(row[name] for name in names), round(row["fulfil_seconds"]))
        for row in counts.groups
        if row["requested"] or row["fulfilled"]
    )
    return groups, counts.decided, round(counts.approval_seconds)


def _requests_in_process(runs: int) -> None:
    """The Requests board's counts from the rollup vs live, and one before/after figure vs a build."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from catalog import dashboard, rollups
    from itsm.dashboards import registry
    from itsm.dashboards.selectors import Scope

    zone = rollups.zone()
    end = datetime.combine(timezone.localdate(timezone=zone) + timedelta(days=1), datetime.min.time(), zone)
    manager = overview._manager()
    for days in (30, 90, 365):
        whole = Scope(user=manager, start=end - timedelta(days=days), end=end)
        same = _comparable(dashboard._from_rollup(whole)) == _comparable(dashboard._live(whole))
        print(json.dumps({"check": f"requests rollup equals live, {days} days", "equal": same}), flush=True)
        _timed(f"requests counts, {days} days, rollup", lambda s=whole: dashboard._from_rollup(s), runs)
        _timed(f"requests counts, {days} days, live", lambda s=whole: dashboard._live(s), runs)
    now = timezone.now()
    window = Scope(user=manager, start=now - timedelta(days=30), end=now)  # as improvements.measure
    _timed("before/after: whole board build, 30 days", lambda: dashboard.build(window), runs)
    for key in ("approval_time", "delivery_sla"):
        _timed(
            f"before/after: requests.{key} only",
            lambda k=key: registry.metric_value(f"requests.{k}", window),
            runs,
        )


if __name__ == "__main__":
    main()
