"""Benchmark of webhook delivery: real Celery workers, Redis broker, PostgreSQL, local receivers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/itsm_h_b REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python -m tests.bench.bench_webhooks [--deliveries 1000] [--workers 2] [--threads 8] \\
        [--rate 20] [--seconds 15]

(Re)creates the database named in DATABASE_URL, migrates it, starts two receivers on
127.0.0.1 (one answers at once, one sleeps 5 s before answering), `--workers` Celery worker
processes on the webhook queue (`-P threads -c --threads` each, as docs/operations.md says)
and gunicorn on `--port`. Then:

1. drain: `--deliveries` outbox rows for the fast receiver (inserted at once), each dispatched
   as the outbox does after a commit; time from the first dispatch until every one is `sent`,
   and each delivery's latency (its dispatch → arrival at the receiver);
2. isolation: a steady stream of `--rate` fast deliveries a second for `--seconds`, first
   alone, then with 5 a second to the slow receiver mixed in; the fast deliveries' latency
   (p50/p95/max) in both runs;
3. API latency: sequential GETs of /api/v1/webhook-deliveries/ (session auth) while idle and
   during each run.

Prints figures and asserts nothing (pytest does not collect it). Stops everything it started.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "var" / "bench-webhooks"


def main() -> None:
    options = _options()
    _prepare_database()
    _setup_django()
    from django.core.management import call_command

    from tests.notifications.webhook_receiver import Receiver

    call_command("migrate", verbosity=0)
    LOGS.mkdir(parents=True, exist_ok=True)
    with Receiver() as fast, Receiver() as slow:
        fast_sub, slow_sub, user = _fixtures(fast.url("/ok"), slow.url("/slow/5"))
        _purge_queue()
        workers = [_start_worker(n, options.threads) for n in range(1, options.workers + 1)]
        server = _start_gunicorn(options.port)
        try:
            api = ApiProbe(options.port, user.username)
            print(f"load before: {_load()}")
            idle = api.run(40)
            print(_line("API GET while idle", idle))
            _run(fast, fast_sub, options.deliveries, api, label="drain")
            alone = _stream(fast, fast_sub, None, api, options, label="steady stream, alone")
            beside = _stream(
                fast, fast_sub, slow_sub, api, options, label="steady stream beside the slow receiver"
            )
            print(
                f"\nfast deliveries' latency p95: alone {alone:.0f} ms, beside the slow one {beside:.0f} ms"
            )
            print(f"slow receiver got {len(slow.received)} requests (each held 5 s)")
            print(f"load after: {_load()}")
        finally:
            _stop(server)
            for worker in workers:
                _stop(worker)


def _stream(receiver, fast_sub, slow_sub, api, options, *, label: str) -> float:
    """`--rate` fast deliveries a second for `--seconds` (and 5 a second to the slow receiver when
    given), each queued as a service does after its commit; returns the fast ones' p95 latency."""
    from itsm.notifications.choices import DeliveryStatus
    from itsm.notifications.models import OutboxMessage
    from itsm.notifications.webhooks.emit import queue_delivery

    payload = {
        "id": "bench",
        "type": "incident.created",
        "occurred_at": "2026-01-01T00:00:00Z",
        "data": {"id": 1},
    }
    before = len(receiver.received)
    done = threading.Event()
    probe = threading.Thread(target=api.run_until, args=(done.is_set,), daemon=True)
    probe.start()
    dispatched: dict[str, float] = {}
    ids: list[int] = []
    started = time.monotonic()
    tick = 1 / options.rate
    n = 0
    while time.monotonic() - started < options.seconds:
        at = time.monotonic()
        row = queue_delivery(fast_sub.pk, fast_sub.url, payload)
        dispatched[row.message_id] = at
        ids.append(row.pk)
        if slow_sub is not None and n % max(options.rate // 5, 1) == 0:
            queue_delivery(slow_sub.pk, slow_sub.url, payload)
        n += 1
        time.sleep(max(0.0, started + n * tick - time.monotonic()))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if OutboxMessage.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count() == len(ids):
            break
        time.sleep(0.2)
    done.set()
    probe.join()
    arrivals = {r.headers.get("X-ITSM-Delivery"): r.at for r in receiver.received[before:]}
    latencies = sorted((arrivals[key] - at) * 1000 for key, at in dispatched.items() if key in arrivals)
    print(f"\n{label}: {len(latencies)}/{len(ids)} fast deliveries arrived; load {_load()}")
    print(
        f"  latency dispatch→receiver ms: p50 {_pct(latencies, 50):.0f}, p95 {_pct(latencies, 95):.0f}, "
        f"max {latencies[-1]:.0f}"
    )
    print(_line(f"  API GET during '{label}'", api.last))
    return _pct(latencies, 95)


def _run(receiver, subscription, count: int, api, *, label: str, wait: bool = True) -> float:
    """Queue `count` deliveries; return the p95 latency (ms) when waited for."""
    from itsm.notifications.choices import DeliveryStatus
    from itsm.notifications.models import OutboxMessage
    from itsm.notifications.tasks import deliver_webhook, sweep_outbox

    before = len(receiver.received)
    payload = {
        "id": "bench",
        "type": "incident.created",
        "occurred_at": "2026-01-01T00:00:00Z",
        "data": {"id": 1},
    }
    body = json.dumps(payload)
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            channel="webhook", subscription=subscription, to_address=subscription.url,
            subject=payload["type"], body_text=body, headers={"Content-Type": "application/json"},
            message_id=str(uuid.uuid4()),
        )
        for _ in range(count)
    )  # fmt: skip
    dispatched: dict[str, float] = {}
    started = time.monotonic()
    for row in rows:  # what the outbox does after each commit
        dispatched[row.message_id] = time.monotonic()
        deliver_webhook.delay(row.pk)
    if not wait:
        return 0.0
    ids = [row.pk for row in rows]
    probe = (
        threading.Thread(target=api.run_until, args=(lambda: done.is_set(),), daemon=True) if api else None
    )
    done = threading.Event()
    if probe:
        probe.start()
    deadline = started + 120
    sent, swept = 0, time.monotonic()
    while time.monotonic() < deadline:
        if time.monotonic() - swept > 10:  # what beat does every 30 s: deferred rows are dispatched again
            sweep_outbox()
            swept = time.monotonic()
        sent = OutboxMessage.objects.filter(pk__in=ids, status=DeliveryStatus.SENT).count()
        if sent == count:
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    done.set()
    if probe:
        probe.join()
    arrivals = {
        r.headers.get("X-ITSM-Delivery"): r.at
        for r in receiver.received[before:]
        if r.headers.get("X-ITSM-Delivery")
    }
    latencies = sorted((arrivals[key] - at) * 1000 for key, at in dispatched.items() if key in arrivals)
    print(f"\n{label}: {sent}/{count} sent in {elapsed:.1f} s ({sent / elapsed:.0f}/s); load {_load()}")
    if latencies:
        print(
            f"  latency dispatch→receiver ms: p50 {_pct(latencies, 50):.0f}, p95 {_pct(latencies, 95):.0f}, "
            f"max {latencies[-1]:.0f}"
        )
    if api:
        print(_line(f"  API GET during '{label}'", api.last))
    return _pct(latencies, 95) if latencies else float("nan")


class ApiProbe:
    """Sequential GETs of an API list over HTTP with a signed-in session."""

    def __init__(self, port: int, username: str) -> None:
        self.port = port
        self.cookie = self._sign_in(username)
        self.last: list[float] = []

    def _sign_in(self, username: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        page = response.read().decode()
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = f"username={username}&password=bench-password&csrfmiddlewaretoken={token}"
        conn.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
        )
        answer = conn.getresponse()
        answer.read()
        session = re.search(
            r"sessionid=([^;]+)", ",".join(v for k, v in answer.getheaders() if k == "Set-Cookie")
        )
        if not session:
            raise SystemExit("signing in to the benchmark server failed")
        return f"sessionid={session.group(1)}"

    def _get(self, conn) -> float:
        started = time.monotonic()
        conn.request("GET", "/api/v1/webhook-deliveries/?page_size=20", headers={"Cookie": self.cookie})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"API answered {response.status}")
        return (time.monotonic() - started) * 1000

    def run(self, count: int) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.last = sorted(self._get(conn) for _ in range(count))
        return self.last

    def run_until(self, stop) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        times = []
        while not stop():
            times.append(self._get(conn))
            time.sleep(0.05)
        self.last = sorted(times)


def _line(label: str, times: list[float]) -> str:
    if not times:
        return f"{label}: no requests"
    figures = f"p50 {_pct(times, 50):.1f} ms, p95 {_pct(times, 95):.1f} ms, max {times[-1]:.1f} ms"
    return f"{label}: n={len(times)} {figures}"


def _pct(values: list[float], percent: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _fixtures(fast_url: str, slow_url: str):
    from django.contrib.auth.models import Group, User

    from itsm.notifications.webhooks import services

    user = User.objects.create_user("bench.admin", "bench@example.org", "bench-password", is_superuser=True)
    user.groups.add(Group.objects.get_or_create(name="admin")[0])
    events = ["incident.created"]
    fast = services.create_subscription(actor=user, name="Fast", url=fast_url, event_types=events)
    slow = services.create_subscription(actor=user, name="Slow", url=slow_url, event_types=events)
    return fast, slow, user


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes.")
    parser.add_argument("--threads", type=int, default=8, help="Threads per worker process.")
    parser.add_argument("--rate", type=int, default=20, help="Fast deliveries per second in the streams.")
    parser.add_argument("--seconds", type=int, default=15, help="Length of each stream.")
    parser.add_argument("--port", type=int, default=8102, help="gunicorn's port on 127.0.0.1.")
    return parser.parse_args()


def _prepare_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("The webhook benchmark needs DATABASE_URL=postgres://... and REDIS_URL=redis://...")
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "itsm.settings",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }


def _setup_django() -> None:
    os.environ.update(_environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _purge_queue() -> None:
    from itsm.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("webhooks")


def _start_worker(number: int, threads: int) -> subprocess.Popen:
    log = LOGS / f"worker{number}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "itsm", "worker", "-Q", "webhooks", "-P", "threads",
        "-c", str(threads), "-n", f"bench{number}@%h", "-l", "info", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    worker = subprocess.Popen(
        command, cwd=ROOT, env=_environment(), stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in log.read_text():
            return worker
        time.sleep(0.3)
    _stop(worker)
    raise SystemExit(f"worker {number} not ready within 60 s (see {log})")


def _start_gunicorn(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "itsm.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    server = subprocess.Popen(command, cwd=ROOT, env=_environment(), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    _stop(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
