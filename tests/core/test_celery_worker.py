"""A real Celery worker, in its own process, runs a task sent through a real broker.

Two brokers: Redis (production) and the serverless filesystem broker (`./dev run`). Each test
starts `celery -A itsm worker` as a subprocess on the test database, sends `core.heartbeat`
from another process, and waits for the `SystemHeartbeat` row the task writes.
"""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from itsm.celery import app
from itsm.core.models import SystemHeartbeat
from itsm.core.tasks import heartbeat
from tests.conftest import require_or_skip

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 30

#: Sends one heartbeat the way the web process would, with the settings of its environment.
SEND_HEARTBEAT = (
    "import sys, django; django.setup(); "
    "from itsm.core.tasks import heartbeat; heartbeat.apply_async(kwargs={'name': sys.argv[1]})"
)


def worker_environment(database_url: str, **overrides: str) -> dict[str, str]:
    """The caller's environment with the settings that pick the database and broker made explicit."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "ITSM_VAR_DIR"}
    }
    env.update(
        DATABASE_URL=database_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="itsm.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def postgres_test_database_url() -> str:
    """A URL for the database this test runs on (the test database, not the configured one)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "itsm",
        "worker",
        "--loglevel",
        "info",
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"test-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_for(probe, worker: subprocess.Popen, log: Path):
    """Poll `probe()` until it returns something truthy; fail with the worker's log otherwise."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        if worker.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(f"no heartbeat within {TIMEOUT_SECONDS} s; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.redis
@pytest.mark.postgres
def test_worker_runs_a_task_sent_through_redis(transactional_db, tmp_path):
    # given a worker on Redis and on this test's PostgreSQL database
    if not settings.REDIS_URL:
        require_or_skip("redis", "REDIS_URL is not set")
    if connection.vendor != "postgresql":
        require_or_skip("postgres", f"the database is {connection.vendor}, not PostgreSQL")
    app.conf.task_always_eager = False  # the autouse fixture turned it on; a real worker runs this
    name = f"redis-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    worker = start_worker(worker_environment(postgres_test_database_url(), REDIS_URL=settings.REDIS_URL), log)
    try:
        # when this process sends the task through the broker
        heartbeat.apply_async(kwargs={"name": name})

        # then the worker process runs it and writes the row
        beat = wait_for(lambda: SystemHeartbeat.objects.filter(name=name).first(), worker, log)
    finally:
        stop_worker(worker)
    assert f"pid {worker.pid}" in beat.detail


def test_filesystem_broker_carries_a_task_between_processes(transactional_db, tmp_path):
    # given a database both processes can open, and a broker folder only they know
    name = f"fs-{uuid.uuid4().hex[:8]}"
    if connection.vendor == "sqlite":
        database_file = tmp_path / "itsm.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(database_file) as copy:
            connection.connection.backup(copy)  # the migrated in-memory test database
        database_url = f"sqlite:///{database_file}"
        table = SystemHeartbeat._meta.db_table

        def read_heartbeat():
            with sqlite3.connect(database_file) as db:
                return db.execute(f"SELECT detail FROM {table} WHERE name = ?", (name,)).fetchone()

    else:
        database_url = postgres_test_database_url()

        def read_heartbeat():
            return SystemHeartbeat.objects.filter(name=name).values_list("detail").first()

    env = worker_environment(database_url, ITSM_VAR_DIR=str(tmp_path / "var"))
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        # when a separate process, configured like the web server, sends the task
        subprocess.run(
            [sys.executable, "-c", SEND_HEARTBEAT, name], cwd=ROOT, env=env, check=True, timeout=60
        )

        # then the worker process picks the message out of the folder and runs it
        (detail,) = wait_for(read_heartbeat, worker, log)
    finally:
        stop_worker(worker)
    assert f"pid {worker.pid}" in detail
    assert "filesystem://" in log.read_text()
