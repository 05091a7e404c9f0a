"""Benchmark: the practice dashboards and their drill-down lists at scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_incidents \\
        .venv/bin/python -m tests.bench.bench_practice_dashboards --runs 10

Read-only apart from the benchmark manager's session: run `bench_dashboards --seed` first for
the changes. Prints median and p95 server time and the query count of every registered board
(30 and 90 days) and of one drill-down list per board, with the load average. Reuses the
overview benchmark's helpers (`tests/bench/bench_dashboards.py`); asserts nothing.
"""

import argparse
import json
import os

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
        urls = [(f"{board.key}, 30 days", page), (f"{board.key}, 90 days", f"{page}?period=90")]
        if board.key in DRILLS:
            drill = reverse("dashboards:practice_records", args=[board.key, DRILLS[board.key]])
            urls.append((f"{board.key} drill-down '{DRILLS[board.key]}', 30 days", drill))
        for name, url in urls:
            print(json.dumps(overview._measure(name, url, options.runs, options.warmup)), flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
