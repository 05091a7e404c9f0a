"""Benchmark: catalog pages and ordering with 500 catalog items and 1,000,000 requested items.

    createdb itsm_bench_catalog; export DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_bench_catalog
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py seed_catalog --catalog-items 500 --request-items 1000000
    .venv/bin/python -m tests.bench.bench_catalog

Prints median and p95 server time and the SQL query count (in-process, Django's test client,
after a warm-up) for: the portal home, the catalog home, a catalog search, an item page, and
submitting a request for an item with 10 variables, a manager approval and a 3-task plan,
through the portal form and through the API. The requests it submits are deleted at the end.
It prints figures and asserts nothing (pytest does not collect it).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

BENCH_SLUG = "bench-ten-variables"
VALUES = {
    "model": "b", "colour": "black", "size": "14", "keyboard": "us", "docking": "yes", "count": "2",
    "needed_by": "2030-01-15", "reason": "Replacement for a broken one", "location": "Berlin, floor 3",
    "notes": "Please call before delivery",
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    options = parser.parse_args()
    _setup_django()
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    _sizes()
    item = _bench_item()
    item_url = f"/catalog/items/{item.slug}/"
    client, api = _clients()
    created: list[int] = []
    try:
        results = [
            _measure(client, "portal home", lambda: client.get("/portal/"), options),
            _measure(client, "catalog home", lambda: client.get("/catalog/"), options),
            _measure(client, "catalog search", lambda: client.get("/catalog/?q=laptop"), options),
            _measure(client, "item page (10 variables)", lambda: client.get(item_url), options),
            _measure(client, "submit via portal", lambda: _submit_portal(client, item, created), options),
            _measure(api, "submit via API", lambda: _submit_api(api, item, created), options),
        ]
        print(f"{'what':34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for name, median, p95, queries in results:
            print(f"{name:34} {median:10.1f} {p95:8.1f} {queries:8d}")
    finally:
        _clean_up(created)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itsm.settings")
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def _sizes() -> None:
    from catalog.models import CatalogItem, RequestItem

    print(f"catalog items: {CatalogItem.objects.count():,}; requested items: {RequestItem.objects.count():,}")


def _bench_item():
    from catalog.choices import ApprovalRule, ApproverKind
    from catalog.models import ApprovalStep, CatalogItem, Category, FulfilmentStep, Variable
    from catalog.services import publish_item
    from itsm.core.models import Team

    item = CatalogItem.objects.filter(slug=BENCH_SLUG).first()
    if item is not None:
        return item
    team = Team.objects.order_by("pk").first()
    item = CatalogItem.objects.create(
        slug=BENCH_SLUG, name="Benchmark laptop", category=Category.objects.first(),
        short_description="Ten variables, a manager approval, three tasks", delivery_time=timedelta(days=3),
    )  # fmt: skip
    specs = [
        ("model", "choice", "a|A\nb|B"), ("colour", "choice", "black|Black\nsilver|Silver"),
        ("size", "choice", "13|13\n14|14\n16|16"), ("keyboard", "choice", "us|US\nde|DE"),
        ("docking", "boolean", ""), ("count", "number", ""), ("needed_by", "date", ""),
        ("reason", "textarea", ""), ("location", "text", ""), ("notes", "text", ""),
    ]  # fmt: skip
    for order, (name, kind, choices) in enumerate(specs, start=1):
        Variable.objects.create(
            item=item, order=order, name=name, label=name.title(), type=kind, choices=choices
        )
    ApprovalStep.objects.create(
        item=item, approver=ApproverKind.MANAGER, rule=ApprovalRule.ANY, name="Manager"
    )
    for order, title in ((10, "Prepare"), (20, "Install"), (30, "Hand over")):
        FulfilmentStep.objects.create(item=item, order=order, title=title, assignment_group=team)
    publish_item(item, actor=None)
    return item


def _clients():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.test import APIClient

    requester = get_user_model().objects.get(username="requester")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(requester)
    api = APIClient(HTTP_HOST="127.0.0.1")
    api.force_authenticate(requester)
    return client, api


def _submit_portal(client, item, created: list[int]):
    response = client.post(f"/catalog/items/{item.slug}/", {**VALUES, "quantity": "1", "action": "order"})
    assert response.status_code == 302, response.status_code
    created.append(int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    return response


def _submit_api(api, item, created: list[int]):
    body = {"items": [{"item": item.pk, "values": VALUES}]}
    response = api.post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    created.append(response.json()["id"])
    return response


def _measure(client, name: str, call, options) -> tuple[str, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(options.warmup):
        call()
    times, queries = [], 0
    for _ in range(options.runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            sys.exit(f"{name}: HTTP {response.status_code}")
        queries = len(captured)
    times.sort()
    return name, statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def _clean_up(request_ids: list[int]) -> None:
    """Delete what the benchmark ordered (requests, their items, approvals, notifications)."""
    from catalog.models import RequestItem
    from itsm.core.models import Task

    item_ids = list(
        RequestItem.objects.filter(parent_request_id__in=request_ids).values_list("pk", flat=True)
    )
    from itsm.approvals.models import Approval

    approval_ids = list(
        Approval.objects.filter(stage__plan__subject_id__in=item_ids).values_list("pk", flat=True)
    )
    for ids in (approval_ids, item_ids, request_ids):
        Task.objects.filter(pk__in=ids).delete()


if __name__ == "__main__":
    main()
