"""Benchmark: API lists and sync pages on a database that holds 1,000,000 incidents (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_incidents \\
        .venv/bin/python -m tests.bench.bench_api [--runs 30] [--user manager] [--sync-pages 20]

Read-only: requests go through Django's test client in-process (the whole API stack: the
`visible_to` narrowing, the shared FilterSets, cursor pagination, serializers, ETag, shaping),
authenticated as an existing user of the database with `force_authenticate`, so nothing is
written. It prints, per list:

1. `/api/v1/incidents/` and `/api/v1/tasks/` with each single filter (state, priority, group,
   assignee, service, requester, updated_after, …): median and p95 server time and the
   SQL query count, after a warm-up, with filter values taken from the data;
2. a sync: `?updated_after=<a week ago>&ordering=updated_at`, following `next` for
   `--sync-pages` pages of 100: p95 per page;
3. `?expand=assignee,assignment_group,service` and `?fields=` on a page, to show the cost of shaping.

It prints figures and asserts nothing (not a timed test; pytest does not collect it).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 100.0


def main() -> None:
    options = _options()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The API benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    client = _client(options.user)
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(
        f"as {options.user}; {options.runs} runs after {options.warmup} warm-up; target p95 <= {TARGET_MS} ms"
    )
    rows = []
    for name, url in _list_urls():
        rows.append((name, *_measure(client, url, options.runs, options.warmup)))
    _print("Lists with one filter (page of 50)", rows)
    _sync(client, options)
    shaped = [
        (name, *_measure(client, url, options.runs, options.warmup))
        for name, url in (
            (
                "incidents ?expand=assignee,assignment_group,service",
                "/api/v1/incidents/?expand=assignee,assignment_group,service",
            ),
            (
                "incidents ?fields=id,number,state,updated_at",
                "/api/v1/incidents/?fields=id,number,state,updated_at",
            ),
        )
    ]
    _print("Shaping", shaped)
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--user", default="manager", help="an existing username (manager sees everything)")
    parser.add_argument("--sync-pages", type=int, default=20)
    return parser.parse_args()


def _client(username: str):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def _sample_values() -> dict:
    """Filter values that exist in the data (the most common one of each column)."""
    from django.db.models import Count

    from incidents.models import Incident

    # Sampled on a slice: a full GROUP BY over 1,000,000 rows per column would dominate the run.
    recent = Incident.objects.order_by("-pk").values_list("pk", flat=True)[20000]
    sample = Incident.objects.filter(pk__gt=recent)
    values = {}
    for field in ("assignment_group", "assignee", "service", "requester", "configuration_item", "category"):
        row = (
            sample.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        values[field] = row[field] if row else None
    return values


def _list_urls() -> list[tuple[str, str]]:
    from django.utils import timezone

    values = _sample_values()
    day_ago = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    urls = [
        ("incidents (no filter)", "/api/v1/incidents/"),
        ("incidents state=in_progress", "/api/v1/incidents/?state=in_progress"),
        ("incidents state_category=open", "/api/v1/incidents/?state_category=open"),
        ("incidents priority=1", "/api/v1/incidents/?priority=1"),
        ("incidents updated_after=1 day ago", f"/api/v1/incidents/?updated_after={day_ago}"),
        ("incidents unassigned=true", "/api/v1/incidents/?unassigned=true"),
        ("incidents ordering=-updated_at", "/api/v1/incidents/?ordering=-updated_at"),
        ("tasks (no filter)", "/api/v1/tasks/"),
        ("tasks kind=incident", "/api/v1/tasks/?kind=incident"),
        ("tasks priority=1", "/api/v1/tasks/?priority=1"),
        ("tasks updated_after=1 day ago", f"/api/v1/tasks/?updated_after={day_ago}"),
    ]
    for field, value in values.items():
        if value is not None:
            urls.append((f"incidents {field}={value}", f"/api/v1/incidents/?{field}={value}"))
    for field in ("assignment_group", "assignee", "service", "requester"):
        if values.get(field) is not None:
            urls.append((f"tasks {field}={values[field]}", f"/api/v1/tasks/?{field}={values[field]}"))
    return urls


def _measure(client, url: str, runs: int, warmup: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        _get(client, url)
    timings, queries, status = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            status = _get(client, url).status_code
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return statistics.median(timings), _p95(timings), queries, status


def _get(client, url):
    return client.get(url, HTTP_HOST="127.0.0.1")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _sync(client, options) -> None:
    from django.utils import timezone

    since = (timezone.now() - timedelta(days=7)).isoformat().replace("+00:00", "Z")
    for prefix in ("incidents", "tasks"):
        url = f"/api/v1/{prefix}/?updated_after={since}&ordering=updated_at&page_size=100"
        timings, rows, pages = [], 0, 0
        while url and pages < options.sync_pages:
            started = time.perf_counter()
            response = _get(client, url)
            timings.append((time.perf_counter() - started) * 1000)
            body = response.json()
            rows += len(body["results"])
            pages += 1
            url = body.get("next")
        print(
            f"\nSync {prefix}: updated_after=7 days ago, ordering=updated_at, {pages} pages of 100 "
            f"({rows} rows) following next: median {statistics.median(timings):.1f} ms, "
            f"p95 {_p95(timings):.1f} ms, "
            f"max {max(timings):.1f} ms {'OK' if _p95(timings) <= TARGET_MS else 'OVER TARGET'}"
        )


def _print(title: str, rows) -> None:
    print(f"\n{title}")
    print(f"{'list':58} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'status':>6}")
    for name, median, p95, queries, status in rows:
        flag = "" if p95 <= TARGET_MS else "  OVER TARGET"
        print(f"{name[:58]:58} {median:10.1f} {p95:8.1f} {queries:8d} {status:6d}{flag}")


if __name__ == "__main__":
    main()
