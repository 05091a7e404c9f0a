"""The sweep: each warning and breach fires exactly once, on time, whatever happens around it."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from itsm.core.choices import StateCategory
from itsm.core.models import TimelineEntry
from itsm.notifications.models import Notification, OutboxMessage
from itsm.sla.choices import EventKind, Target
from itsm.sla.models import SLAClock, SLAEvent
from itsm.sla.services import fire, sweep_due_clocks
from itsm.sla.services import firing as firing_module
from itsm.sla.tasks import sweep
from tests.factories import TeamFactory, UserFactory
from tests.sla.conftest import T0, H, M, change, clock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(username="olga.owner", roles=["agent"])


@pytest.fixture
def four_hour_task(frozen, define, new_task, owner):
    """A task assigned to `owner` with a 4-hour resolution target on 24x7 (warnings at 2, 3, 3.6 h)."""
    define(Target.RESOLUTION, 4 * H)
    return new_task(assignee=owner, state_category=StateCategory.OPEN)


def events(task) -> list[tuple[str, int | None]]:
    return list(
        SLAEvent.objects.filter(clock__task=task, kind__in=[EventKind.WARNING, EventKind.BREACHED])
        .order_by("at", "pk")
        .values_list("kind", "percent")
    )


class TestThresholds:
    def test_each_threshold_fires_once_at_its_time(self, frozen, four_hour_task, owner):
        # given / when: the sweep runs every few seconds through the whole target
        fired = []
        for minutes in (119, 120, 121, 180, 216, 239, 240, 300):
            frozen.move_to(T0 + minutes * M)
            sweep()
            sweep()  # a second run at the same moment changes nothing
            fired.append(len(events(four_hour_task)))
        # then
        assert fired == [0, 1, 1, 2, 3, 3, 4, 4]
        assert events(four_hour_task) == [
            ("warning", 50),
            ("warning", 75),
            ("warning", 90),
            ("breached", 100),
        ]
        clock = clock_of(four_hour_task)
        assert (clock.warned_percent, clock.breached_at, clock.next_event_at) == (90, T0 + 4 * H, None)

    def test_each_event_writes_a_timeline_entry_and_notifies_the_owner_once(
        self, frozen, four_hour_task, owner
    ):
        # when
        frozen.move_to(T0 + 2 * H)
        sweep()
        frozen.move_to(T0 + 4 * H)
        sweep()
        sweep()
        # then
        actions = list(TimelineEntry.objects.filter(task=four_hour_task).values_list("action", flat=True))
        assert actions == ["sla.warning", "sla.warning", "sla.warning", "sla.breached"]
        clock = clock_of(four_hour_task)
        keys = set(Notification.objects.filter(recipient=owner).values_list("dedupe_key", flat=True))
        assert keys == {f"sla:{clock.pk}:warn:50", f"sla:{clock.pk}:breach"}
        assert OutboxMessage.objects.filter(to_address=owner.email).count() == 2
        assert TimelineEntry.objects.filter(task=four_hour_task, actor__isnull=True).count() == 4

    def test_after_an_outage_one_sweep_catches_up_with_each_event_at_its_own_time(
        self, frozen, four_hour_task, owner
    ):
        # given: no sweep ran for five hours (broker down)
        frozen.move_to(T0 + 5 * H)
        # when
        assert sweep() == 1
        # then: every point fired once, stamped with when it was reached; one notification (the breach)
        rows = list(SLAEvent.objects.filter(kind__in=["warning", "breached"]).values_list("percent", "at"))
        assert rows == [(50, T0 + 2 * H), (75, T0 + 3 * H), (90, T0 + 216 * M), (100, T0 + 4 * H)]
        assert list(Notification.objects.values_list("title", flat=True)) == [
            f"{four_hour_task.number} breached its resolution target"
        ]

    def test_business_time_thresholds_skip_the_weekend(self, time_machine, define, new_task, office_hours):
        # given: Friday 16:00 Berlin, 2 business hours -> 50% at Friday 17:00, breach Monday 09:00
        friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
        time_machine.move_to(friday, tick=False)
        define(Target.RESOLUTION, 2 * H, calendar=office_hours)
        task = new_task()
        # when: Saturday
        time_machine.move_to(datetime(2026, 11, 28, 12, 0, tzinfo=UTC), tick=False)
        sweep()
        # then
        assert events(task) == [("warning", 50)]
        assert clock_of(task).next_event_at == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Mon 08:30 Berlin

    def test_paused_clocks_never_fire(self, frozen, define, new_task):
        define(Target.RESOLUTION, 1 * H, pause_on=[StateCategory.PENDING])
        task = new_task()
        change(task, state_category=StateCategory.PENDING)
        frozen.move_to(T0 + 10 * H)
        assert sweep() == 0
        assert events(task) == []

    def test_a_definition_without_thresholds_only_breaches(self, frozen, define, new_task):
        define(Target.RESPONSE, 1 * H, warning_thresholds=[])
        task = new_task()
        assert clock_of(task, Target.RESPONSE).next_event_at == T0 + 1 * H
        frozen.move_to(T0 + 1 * H)
        sweep()
        assert events(task) == [("breached", 100)]


class TestExactlyOnce:
    def test_a_stale_copy_of_a_clock_fires_nothing(self, frozen, four_hour_task):
        # given: two sweeps read the same due clock; the first one fires it
        frozen.move_to(T0 + 2 * H)
        first, second = (SLAClock.objects.select_related("task").get(task=four_hour_task) for _ in range(2))
        _with_definition(first, second)
        with transaction.atomic():
            assert len(fire(first, T0 + 2 * H)) == 1
        # when: the second one tries with what it read
        with transaction.atomic():
            written = fire(second, T0 + 2 * H)
        # then: its compare-and-set matched no row, so nothing was written
        assert written == []
        assert events(four_hour_task) == [("warning", 50)]
        assert Notification.objects.count() == 1

    def test_a_worker_dying_mid_batch_leaves_nothing_and_the_next_sweep_fires_once(
        self, frozen, define, new_task, owner, monkeypatch
    ):
        # given: three due clocks; the worker dies while announcing the second
        define(Target.RESOLUTION, 1 * H)
        tasks = [new_task(assignee=owner) for _ in range(3)]
        frozen.move_to(T0 + 2 * H)
        real_notify, calls = firing_module._notify_owner, []

        def dying(clock, point):
            calls.append(clock.pk)
            if len(calls) == 2:
                raise SystemExit("worker killed")
            real_notify(clock, point)

        monkeypatch.setattr(firing_module, "_notify_owner", dying)
        with pytest.raises(SystemExit):
            sweep()
        # then: the batch rolled back as a whole
        assert SLAEvent.objects.filter(kind="breached").count() == 0
        assert Notification.objects.count() == 0
        # when: the next sweep runs normally
        monkeypatch.setattr(firing_module, "_notify_owner", real_notify)
        assert sweep() == 3
        # then: every point fired exactly once
        for task in tasks:
            assert events(task) == [("warning", 50), ("warning", 75), ("warning", 90), ("breached", 100)]
        assert Notification.objects.count() == 3

    def test_a_clock_that_fails_is_retried_later_without_blocking_the_others(
        self, frozen, define, new_task, monkeypatch
    ):
        # given
        define(Target.RESOLUTION, 1 * H, warning_thresholds=[])
        poison, healthy = new_task(), new_task()
        frozen.move_to(T0 + 1 * H)
        real_announce = firing_module._announce

        def failing(clock, points, now):
            if clock.task_id == poison.pk:
                raise RuntimeError("bug in an escalation")
            return real_announce(clock, points, now)

        monkeypatch.setattr(firing_module, "_announce", failing)
        # when
        sweep()
        # then
        assert events(healthy) == [("breached", 100)]
        assert events(poison) == []
        assert clock_of(poison).next_event_at == T0 + 1 * H + firing_module.RETRY_DELAY

    def test_a_full_batch_re_enqueues_until_nothing_is_due(self, frozen, define, new_task, settings):
        # given
        settings.SLA_SWEEP_BATCH = 2
        define(Target.RESOLUTION, 1 * H, warning_thresholds=[])
        for _ in range(5):
            new_task()
        frozen.move_to(T0 + 1 * H)
        # when: one beat-triggered run (tasks run inline in tests)
        sweep()
        # then
        assert SLAEvent.objects.filter(kind="breached").count() == 5
        assert not SLAClock.objects.filter(next_event_at__isnull=False).exists()

    def test_events_carry_a_database_guard_against_doubles(self, frozen, four_hour_task):
        from django.db import IntegrityError

        frozen.move_to(T0 + 2 * H)
        sweep()
        clock = clock_of(four_hour_task)
        with pytest.raises(IntegrityError), transaction.atomic():
            SLAEvent.objects.create(clock=clock, kind=EventKind.WARNING, percent=50, at=T0)


class TestCost:
    def test_nothing_due_is_one_query_whatever_the_number_of_open_clocks(self, frozen, define, new_task):
        # given
        define(Target.RESPONSE, 1 * H)
        define(Target.RESOLUTION, 8 * H)
        for _ in range(20):
            new_task()
        # when
        with CaptureQueriesContext(connection) as queries:
            assert sweep_due_clocks(T0 + 10 * M, 500) == 0
        # then
        assert len(queries) == 1, [q["sql"] for q in queries]
        # ordered by the indexed column, so the planner never trades the index for a sequential scan
        assert queries[0]["sql"].endswith("ORDER BY 1 ASC LIMIT 1") and "next_event_at" in queries[0]["sql"]

    def test_a_due_batch_costs_queries_per_clock_not_per_open_clock(self, frozen, define, new_task, owner):
        define(Target.RESOLUTION, 1 * H, warning_thresholds=[])
        for _ in range(5):
            new_task(assignee=owner)
        frozen.move_to(T0 + 1 * H)
        with CaptureQueriesContext(connection) as queries:
            sweep_due_clocks(T0 + 1 * H, 500)
        per_clock = len(queries) / 5
        assert per_clock < 15, [q["sql"] for q in queries]


class TestOwner:
    def test_an_unassigned_task_notifies_the_group_lead(self, frozen, define, new_task):
        lead = UserFactory(username="lena.lead")
        group = TeamFactory(name="Desk", lead=lead)
        define(Target.RESPONSE, 1 * H, warning_thresholds=[])
        task = new_task(assignment_group=group)
        frozen.move_to(T0 + 1 * H)
        sweep()
        assert Notification.objects.get().recipient == lead
        assert task.number in Notification.objects.get().title


def _with_definition(*clocks: SLAClock) -> None:
    firing_module._load_definitions(list(clocks))
