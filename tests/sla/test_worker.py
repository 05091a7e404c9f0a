"""A real Celery worker and beat: a task with a 2-second target on a 24x7 calendar gets its warning,
its breach and its notification within seconds — on Redis and PostgreSQL, and in the default
run without servers (filesystem broker, SQLite file).

The worker and beat are subprocesses on the test database; the task is created after the
worker is ready, by this process (PostgreSQL) or by a process configured like the web server
(SQLite file). They are stopped by PID in `finally`.
"""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from itsm.celery import app
from itsm.notifications.models import Notification
from itsm.sla.choices import Target
from itsm.sla.models import SLAEvent
from itsm.sla.services import attach_clocks
from tests.conftest import require_or_skip
from tests.factories import TaskFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 45
#: A breach must be recorded this soon after its due time (beat sweeps every second here).
MAX_LAG = timedelta(seconds=10)

#: What the web process does: create a task for the owner and attach its clocks (SQLite run).
CREATE_TASK = """
import sys, django
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from itsm.sla.services import attach_clocks
from tests.factories import TaskFactory
with transaction.atomic():
    owner = get_user_model().objects.get(pk=int(sys.argv[1]))
    task = TaskFactory(assignee=owner, requester=owner)
    attach_clocks(task)
print(task.pk)
"""


@pytest.fixture
def two_second_target(define):
    """A 2-second resolution target with a 50% warning on 24x7, and the agent who owns the work."""
    define(Target.RESOLUTION, timedelta(seconds=2), warning_thresholds=[50])
    return UserFactory(username="olga.owner", roles=["agent"])


@pytest.mark.redis
@pytest.mark.postgres
def test_worker_and_beat_on_redis_fire_warning_and_breach(transactional_db, tmp_path, two_second_target):
    # given a worker and beat on Redis and on this test's PostgreSQL database
    if not settings.REDIS_URL:
        require_or_skip("redis", "REDIS_URL is not set")
    if connection.vendor != "postgresql":
        require_or_skip("postgres", f"the database is {connection.vendor}, not PostgreSQL")
    app.conf.task_always_eager = False
    env = _environment(_postgres_test_database_url(), REDIS_URL=settings.REDIS_URL)
    with _worker_and_beat(env, tmp_path) as logs:
        # when a task with a 2-second target is created
        with transaction.atomic():
            task = TaskFactory(assignee=two_second_target)
            attach_clocks(task)

        # then the warning and the breach are fired by the worker, within seconds
        def breach():
            return SLAEvent.objects.filter(clock__task=task, kind="breached").first()

        breached = _wait_for(breach, logs)
    events = list(
        SLAEvent.objects.filter(clock__task=task, kind__in=["warning", "breached"]).values_list(
            "kind", "percent"
        )
    )
    assert events == [("warning", 50), ("breached", 100)]
    assert breached.recorded_at - breached.at < MAX_LAG
    keys = set(Notification.objects.filter(recipient=two_second_target).values_list("dedupe_key", flat=True))
    clock_id = breached.clock_id
    assert keys == {f"sla:{clock_id}:warn:50", f"sla:{clock_id}:breach"}


def test_worker_and_beat_without_servers_fire_warning_and_breach(
    transactional_db, tmp_path, two_second_target
):
    # given the default run: a SQLite file and the filesystem broker, worker and beat as processes
    if connection.vendor != "sqlite":
        pytest.skip("the default run without servers uses SQLite; this run is on " + connection.vendor)
    database = tmp_path / "itsm.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)  # the migrated test database with the definition
    env = _environment(f"sqlite:///{database}", ITSM_VAR_DIR=str(tmp_path / "var"))
    with _worker_and_beat(env, tmp_path) as logs:
        # when a process configured like the web server creates the task
        created = subprocess.run(
            [sys.executable, "-c", CREATE_TASK, str(two_second_target.pk)],
            cwd=ROOT, env=env, check=True, timeout=60, capture_output=True, text=True,
        )  # fmt: skip
        task_id = int(created.stdout.split()[-1])

        # then the worker fires the warning and the breach, and notifies the owner
        def breach():
            with sqlite3.connect(database) as db:
                return db.execute(
                    "SELECT e.at, e.recorded_at FROM sla_slaevent e JOIN sla_slaclock c ON c.id = e.clock_id "
                    "WHERE c.task_id = ? AND e.kind = 'breached'",
                    (task_id,),
                ).fetchone()

        _wait_for(breach, logs)
    with sqlite3.connect(database) as db:
        kinds = db.execute(
            "SELECT e.kind, e.percent FROM sla_slaevent e JOIN sla_slaclock c ON c.id = e.clock_id "
            "WHERE c.task_id = ? AND e.kind IN ('warning', 'breached') ORDER BY e.at",
            (task_id,),
        ).fetchall()
        notified = db.execute(
            "SELECT count(*) FROM notifications_notification "
            "WHERE recipient_id = ? AND dedupe_key LIKE 'sla:%'",
            (two_second_target.pk,),
        ).fetchone()[0]
    assert kinds == [("warning", 50), ("breached", 100)]
    assert notified == 2


class _worker_and_beat:
    """Start `celery worker` and `celery beat` (with the sweep every second); stop both by PID."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> list[Path]:
        hostname = f"sla-{uuid.uuid4().hex[:8]}@%h"
        worker_args = ["-A", "itsm", "worker", "--pool", "solo", "--loglevel", "info", "--hostname", hostname,
                       "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        beat_args = ["-A", "tests.sla.beat_app", "beat", "--loglevel", "info",
                     "--schedule", str(self.folder / "beat-schedule"),
                     "--pidfile", str(self.folder / "beat.pid")]  # fmt: skip
        self.logs = [self.folder / "worker.log", self.folder / "beat.log"]
        for args, log in zip((worker_args, beat_args), self.logs, strict=True):
            with log.open("wb") as output:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "celery", *args],
                        cwd=ROOT,
                        env=self.env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                    )  # fmt: skip
                )
        _wait_for(lambda: " ready." in self.logs[0].read_text(), self.logs)
        return self.logs

    def __exit__(self, *exc_info) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(probe, logs: list[Path]):
    """Poll `probe()` until it returns something truthy; fail with the processes' logs otherwise."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"nothing within {TIMEOUT_SECONDS} s; logs:\n{tails}")


def _environment(database_url: str, **overrides: str) -> dict[str, str]:
    """This environment, with the database and broker made explicit and e-mail kept in memory."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "ITSM_VAR_DIR"}}
    env.update(
        DATABASE_URL=database_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="itsm.settings",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def _postgres_test_database_url() -> str:
    """A URL for the database this test runs on (the test database, not the configured one)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"
