"""Concurrency on PostgreSQL: sweeps running at once split the work and fire each event exactly once;
a sweep never waits for a row someone else holds (an agent editing the task, a re-computation)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from itsm.core.models import Task, TimelineEntry
from itsm.notifications.models import Notification
from itsm.sla.choices import EventKind, Target
from itsm.sla.models import SLAClock, SLAEvent
from itsm.sla.services import attach_clocks, sweep_due_clocks
from tests.conftest import require_or_skip
from tests.factories import TaskFactory, UserFactory
from tests.sla.conftest import H

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        require_or_skip("postgres", f"row locks with SKIP LOCKED need PostgreSQL, not {connection.vendor}")


def overdue_tasks(define, count: int) -> list[Task]:
    """Tasks whose 1-hour clock started two hours ago: 50%, 75%, 90% and the breach are all due."""
    define(Target.RESOLUTION, 1 * H)
    owner = UserFactory(username="olga.owner")
    started = timezone.now() - 2 * H
    tasks = []
    with transaction.atomic():
        for _ in range(count):
            task = TaskFactory(assignee=owner)
            attach_clocks(task, now=started)
            tasks.append(task)
    return tasks


def sweep_until_done(barrier: threading.Barrier, batch: int) -> int:
    """One worker: sweep with its own connection until nothing is due; returns clocks it took."""
    try:
        barrier.wait(timeout=10)
        taken = 0
        while True:
            got = sweep_due_clocks(timezone.now(), batch)
            taken += got
            if got == 0:
                return taken
    finally:
        connection.close()


def test_two_concurrent_sweeps_fire_each_event_exactly_once(define):
    # given
    tasks = overdue_tasks(define, 120)
    barrier = threading.Barrier(2)
    # when: two sweeps start at the same moment, each with its own connection
    with ThreadPoolExecutor(max_workers=2) as pool:
        taken = list(pool.map(lambda _: sweep_until_done(barrier, 10), range(2)))
    # then: the work was split, every clock taken once, every event written once
    assert sum(taken) == len(tasks) and min(taken) > 0, taken
    per_clock = SLAEvent.objects.filter(kind__in=[EventKind.WARNING, EventKind.BREACHED]).values_list(
        "clock_id", "percent"
    )
    assert len(per_clock) == len(set(per_clock)) == 4 * len(tasks)
    assert TimelineEntry.objects.filter(action__startswith="sla.").count() == 4 * len(tasks)
    assert Notification.objects.count() == len(tasks)
    assert not SLAClock.objects.filter(next_event_at__isnull=False).exists()


@pytest.mark.parametrize("held", ["task", "clock"])
def test_a_sweep_skips_rows_held_elsewhere_and_takes_them_next_time(define, held):
    # given: someone holds the first task (an agent's service) or its clock (a re-computation)
    busy, free = overdue_tasks(define, 2)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                if held == "task":
                    Task.objects.select_for_update().get(pk=busy.pk)
                else:
                    SLAClock.objects.select_for_update().get(task=busy)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        # when
        started = time.monotonic()
        taken = sweep_due_clocks(timezone.now(), 100)
        waited = time.monotonic() - started
        # then: no waiting; the free clock fired, the held one did not
        assert taken == 1 and waited < 2
        assert SLAEvent.objects.filter(clock__task=free, kind=EventKind.BREACHED).count() == 1
        assert not SLAEvent.objects.filter(clock__task=busy, kind=EventKind.BREACHED).exists()
    finally:
        release.set()
        holder.join()
    # when: the row is free again
    assert sweep_due_clocks(timezone.now() + timedelta(seconds=1), 100) == 1
    # then
    assert SLAEvent.objects.filter(clock__task=busy, kind=EventKind.BREACHED).count() == 1
