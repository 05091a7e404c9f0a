"""Attaching, pausing, resuming, re-targeting, stopping and cancelling clocks through the services."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.sla.choices import ClockStage, EventKind, StopReason, Target
from itsm.sla.models import SLAClock
from itsm.sla.services import attach_clocks, clock_snapshot, record_response, sync_clocks
from tests.factories import (
    ConfigurationItemFactory,
    OrganisationFactory,
    ServiceFactory,
    TaskFactory,
    TeamFactory,
    UserFactory,
)
from tests.sla.conftest import T0, H, M, change, clock_of, event_kinds

pytestmark = pytest.mark.django_db


class TestAttach:
    def test_a_new_task_gets_a_response_and_a_resolution_clock(self, frozen, define, new_task):
        # given
        define(Target.RESPONSE, 30 * M)
        define(Target.RESOLUTION, 4 * H)
        # when
        task = new_task()
        # then
        response, resolution = clock_of(task, Target.RESPONSE), clock_of(task, Target.RESOLUTION)
        assert (response.stage, response.started_at, response.due_at) == (ClockStage.RUNNING, T0, T0 + 30 * M)
        assert resolution.due_at == T0 + 4 * H
        assert resolution.next_event_at == T0 + 2 * H  # the 50% warning comes first
        assert event_kinds(resolution) == [EventKind.ATTACHED]

    def test_due_time_follows_the_business_calendar(self, time_machine, define, new_task, office_hours):
        # given: Friday 16:00 in Berlin, 4 business hours
        friday_four_pm = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
        time_machine.move_to(friday_four_pm, tick=False)
        define(Target.RESOLUTION, 4 * H, calendar=office_hours)
        # when
        task = new_task()
        # then: 1 h on Friday, 3 h on Monday from 08:00 -> Monday 11:00 Berlin (10:00 UTC)
        assert clock_of(task).due_at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)

    def test_a_task_outside_working_hours_starts_counting_at_the_next_opening(
        self, time_machine, define, new_task, office_hours
    ):
        time_machine.move_to(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), tick=False)  # Saturday
        define(Target.RESPONSE, 1 * H, calendar=office_hours)
        task = new_task()
        assert clock_of(task, Target.RESPONSE).due_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Mon 09:00

    def test_no_matching_definition_means_no_clock(self, frozen, define, new_task):
        define(Target.RESOLUTION, kinds=[TaskKind.CHANGE])
        assert not new_task(kind=TaskKind.INCIDENT).sla_clocks.exists()

    def test_inactive_definitions_do_not_attach(self, frozen, define, new_task):
        define(Target.RESOLUTION, active=False)
        assert not new_task().sla_clocks.exists()

    def test_the_lowest_precedence_wins_and_one_clock_per_target(self, frozen, define, new_task):
        # given
        define(Target.RESOLUTION, 8 * H, name="Standard", precedence=100)
        vip = define(Target.RESOLUTION, 2 * H, name="P1", precedence=10, priorities=[Priority.CRITICAL])
        # when
        task = new_task(priority=Priority.CRITICAL)
        # then
        clocks = list(task.sla_clocks.all())
        assert [(c.definition, c.target_duration) for c in clocks] == [(vip, 2 * H)]

    def test_a_task_created_in_a_pause_category_starts_paused(self, frozen, define, new_task):
        define(Target.RESOLUTION, pause_on=[StateCategory.PENDING])
        clock = clock_of(new_task(state_category=StateCategory.PENDING))
        assert (clock.stage, clock.due_at, clock.next_event_at) == (ClockStage.PAUSED, None, None)
        assert event_kinds(clock) == [EventKind.ATTACHED, EventKind.PAUSED]

    def test_attaching_takes_a_handful_of_queries(self, frozen, define, django_assert_max_num_queries):
        define(Target.RESPONSE, 30 * M)
        define(Target.RESOLUTION, 4 * H, priorities=[Priority.MODERATE])
        attach_clocks(TaskFactory())  # engine calendars are cached per process from now on
        task = TaskFactory()
        with django_assert_max_num_queries(4):  # definitions, lock, clocks, events
            attach_clocks(task)
        assert task.sla_clocks.count() == 2


class TestConditions:
    @pytest.mark.parametrize(
        ("condition", "matching", "other"),
        [
            ("kinds", {"kind": TaskKind.INCIDENT}, {"kind": TaskKind.PROBLEM}),
            ("priorities", {"priority": Priority.HIGH}, {"priority": Priority.LOW}),
        ],
    )
    def test_list_conditions(self, frozen, define, new_task, condition, matching, other):
        define(**{condition: [next(iter(matching.values()))]})
        assert new_task(**matching).sla_clocks.count() == 1
        assert new_task(**other).sla_clocks.count() == 0

    def test_service_and_ci_class(self, frozen, define, new_task):
        # given
        payroll, ci = ServiceFactory(), ConfigurationItemFactory(ci_class="database")
        define(name="Payroll", service=payroll)
        define(Target.RESPONSE, name="Databases", ci_class="database")
        # when
        both = new_task(service=payroll, configuration_item=ci)
        neither = new_task(service=ServiceFactory(), configuration_item=ConfigurationItemFactory())
        # then
        assert sorted(both.sla_clocks.values_list("target", flat=True)) == ["resolution", "response"]
        assert not neither.sla_clocks.exists()

    def test_requester_organisation_and_vip(self, frozen, define, new_task):
        # given
        acme = OrganisationFactory(name="Acme")
        define(name="Acme", organisation=acme)
        define(Target.RESPONSE, name="VIP", vip_only=True)
        colleague, boss = UserFactory(), UserFactory()
        colleague.profile.organisation = acme
        colleague.profile.save()
        boss.profile.vip = True
        boss.profile.save()
        # then
        assert list(new_task(requester=colleague).sla_clocks.values_list("target", flat=True)) == [
            "resolution"
        ]
        assert list(new_task(requester=boss).sla_clocks.values_list("target", flat=True)) == ["response"]
        assert not new_task(requester=UserFactory()).sla_clocks.exists()

    def test_category_of_practice_records(self, frozen, define):
        # given: practice records carry a category (a model with a name); the base Task does not
        define(name="Network", category="network")
        task = TaskFactory()
        task.category = type("Category", (), {"name": "Network"})()
        # when
        with transaction.atomic():
            attach_clocks(task)
        # then
        assert task.sla_clocks.count() == 1


class TestPauseAndResume:
    def test_pending_pauses_and_the_pause_moves_the_due_time(self, frozen, define, new_task):
        # given
        define(Target.RESOLUTION, 4 * H, pause_on=[StateCategory.PENDING])
        task = new_task(state_category=StateCategory.OPEN)
        # when: 1 h of work, 3 h on hold, back to work
        frozen.move_to(T0 + 1 * H)
        change(task, state_category=StateCategory.PENDING)
        paused = clock_of(task)
        frozen.move_to(T0 + 4 * H)
        change(task, state_category=StateCategory.OPEN)
        # then
        assert (paused.stage, paused.elapsed, paused.due_at, paused.next_event_at) == (
            ClockStage.PAUSED,
            1 * H,
            None,
            None,
        )
        resumed = clock_of(task)
        assert (resumed.stage, resumed.running_since, resumed.elapsed) == (
            ClockStage.RUNNING,
            T0 + 4 * H,
            1 * H,
        )
        assert resumed.due_at == T0 + 7 * H
        assert event_kinds(resumed) == [EventKind.ATTACHED, EventKind.PAUSED, EventKind.RESUMED]

    def test_categories_not_in_the_definition_do_not_pause(self, frozen, define, new_task):
        define(Target.RESOLUTION, pause_on=[])
        task = new_task()
        change(task, state_category=StateCategory.PENDING)
        assert clock_of(task).stage == ClockStage.RUNNING

    def test_each_definition_has_its_own_pause_rule(self, frozen, define, new_task):
        define(Target.RESPONSE, 1 * H, pause_on=[])
        define(Target.RESOLUTION, 8 * H, pause_on=[StateCategory.PENDING])
        task = new_task()
        change(task, state_category=StateCategory.PENDING)
        assert clock_of(task, Target.RESPONSE).stage == ClockStage.RUNNING
        assert clock_of(task, Target.RESOLUTION).stage == ClockStage.PAUSED


class TestRetarget:
    def test_priority_change_recomputes_from_the_original_start(self, frozen, define, new_task):
        # given
        define(Target.RESOLUTION, 8 * H, name="P3", priorities=[Priority.MODERATE])
        p1 = define(Target.RESOLUTION, 2 * H, name="P1", priorities=[Priority.CRITICAL])
        task = new_task(priority=Priority.MODERATE)
        # when
        frozen.move_to(T0 + 1 * H)
        change(task, priority=Priority.CRITICAL)
        # then
        clock = clock_of(task)
        assert (clock.definition, clock.started_at, clock.target_duration) == (p1, T0, 2 * H)
        assert clock.due_at == T0 + 2 * H
        assert clock.next_event_at == T0 + 1 * H  # 50% of 2 h: due now, the sweep fires it
        retarget = clock.events.get(kind=EventKind.RETARGETED)
        assert retarget.detail["old_definition"] == "P3" and retarget.detail["new_seconds"] == 7200
        assert task.sla_clocks.count() == 1

    def test_a_recorded_breach_stays_after_a_longer_target(self, frozen, define, new_task):
        # given: a breached P1 clock
        define(Target.RESOLUTION, 1 * H, name="P1", priorities=[Priority.CRITICAL])
        define(Target.RESOLUTION, 8 * H, name="P3", priorities=[Priority.MODERATE])
        task = new_task(priority=Priority.CRITICAL)
        SLAClock.objects.filter(task=task).update(
            breached_at=T0 + 1 * H, warned_percent=90, next_event_at=None
        )
        # when
        frozen.move_to(T0 + 2 * H)
        change(task, priority=Priority.MODERATE)
        # then
        clock = clock_of(task)
        assert clock.breached_at == T0 + 1 * H
        assert clock.due_at == T0 + 8 * H and clock.next_event_at is None

    def test_no_definition_applies_any_more_cancels(self, frozen, define, new_task):
        define(Target.RESOLUTION, priorities=[Priority.CRITICAL])
        task = new_task(priority=Priority.CRITICAL)
        change(task, priority=Priority.LOW)
        clock = task.sla_clocks.get()
        assert (clock.stage, clock.stop_reason) == (ClockStage.CANCELLED, StopReason.NO_LONGER_APPLIES)

    def test_a_task_that_starts_to_match_gets_its_clock_then(self, frozen, define, new_task):
        define(Target.RESOLUTION, 2 * H, priorities=[Priority.CRITICAL])
        task = new_task(priority=Priority.LOW)
        frozen.move_to(T0 + 1 * H)
        change(task, priority=Priority.CRITICAL)
        assert clock_of(task).started_at == T0 + 1 * H

    def test_a_deactivated_definition_keeps_its_promise(self, frozen, define, new_task):
        definition = define(Target.RESOLUTION)
        task = new_task()
        definition.active = False
        definition.save()
        change(task, priority=Priority.HIGH)
        assert clock_of(task).definition == definition


class TestStop:
    def test_resolving_stops_response_and_resolution_as_met(self, frozen, define, new_task):
        # given
        define(Target.RESPONSE, 1 * H)
        define(Target.RESOLUTION, 4 * H)
        task = new_task()
        # when
        frozen.move_to(T0 + 3 * H)
        change(task, state_category=StateCategory.RESOLVED)
        # then
        clocks = {c.target: c for c in task.sla_clocks.all()}
        assert {c.stage for c in clocks.values()} == {ClockStage.MET}
        assert clocks["resolution"].stop_reason == StopReason.RESOLVED
        assert clocks["resolution"].elapsed == 3 * H and clocks["resolution"].next_event_at is None
        assert clocks["resolution"].events.get(kind=EventKind.MET).detail["within_target"] is True

    def test_first_response_stops_only_the_response_clock(self, frozen, define, new_task):
        define(Target.RESPONSE, 1 * H)
        define(Target.RESOLUTION, 4 * H)
        task = new_task()
        frozen.move_to(T0 + 10 * M)
        with transaction.atomic():
            record_response(task)
        response = task.sla_clocks.get(target=Target.RESPONSE)
        assert (response.stage, response.stop_reason, response.elapsed) == (
            ClockStage.MET,
            StopReason.RESPONDED,
            10 * M,
        )
        assert clock_of(task).stage == ClockStage.RUNNING

    def test_setting_responded_at_through_sync_counts_as_the_response(self, frozen, define, new_task):
        define(Target.RESPONSE, 1 * H)
        task = new_task()
        change(task, responded_at=T0)
        assert task.sla_clocks.get().stage == ClockStage.MET

    def test_a_response_clock_never_starts_again(self, frozen, define, new_task):
        define(Target.RESPONSE, 1 * H)
        task = new_task()
        with transaction.atomic():
            record_response(task)
        change(task, priority=Priority.HIGH, state_category=StateCategory.OPEN)
        assert task.sla_clocks.count() == 1

    def test_reopening_resumes_the_resolution_clock_with_its_time_used(self, frozen, define, new_task):
        # given: resolved after 3 h
        define(Target.RESOLUTION, 4 * H)
        task = new_task(state_category=StateCategory.OPEN)
        frozen.move_to(T0 + 3 * H)
        change(task, state_category=StateCategory.RESOLVED)
        # when: reopened a day later
        frozen.move_to(T0 + 27 * H)
        change(task, state_category=StateCategory.OPEN)
        # then
        clock = task.sla_clocks.get()
        assert (clock.stage, clock.elapsed, clock.stopped_at) == (ClockStage.RUNNING, 3 * H, None)
        assert clock.due_at == T0 + 28 * H
        assert event_kinds(clock)[-2:] == [EventKind.MET, EventKind.RESUMED]

    def test_cancelling_the_task_cancels_every_open_clock(self, frozen, define, new_task):
        define(Target.RESPONSE, 1 * H)
        define(Target.RESOLUTION, 4 * H)
        task = new_task()
        change(task, state_category=StateCategory.CANCELLED)
        assert set(task.sla_clocks.values_list("stage", "stop_reason")) == {
            (ClockStage.CANCELLED, StopReason.TASK_CANCELLED)
        }
        assert SLAClock.objects.filter(next_event_at__isnull=False).count() == 0


class TestOLA:
    def test_an_ola_measures_one_groups_share_and_restarts_for_the_next(self, frozen, define, new_task):
        # given
        first, second = TeamFactory(name="Desk"), TeamFactory(name="Network")
        define(Target.OLA, 2 * H)
        task = new_task(assignment_group=first)
        # when: handed over after 90 minutes
        frozen.move_to(T0 + 90 * M)
        change(task, assignment_group=second)
        # then
        old, new = task.sla_clocks.order_by("pk")
        assert (old.team, old.stage, old.stop_reason, old.elapsed) == (
            first,
            ClockStage.MET,
            StopReason.HANDED_OVER,
            90 * M,
        )
        assert (new.team, new.stage, new.started_at, new.due_at) == (
            second,
            ClockStage.RUNNING,
            T0 + 90 * M,
            T0 + 210 * M,
        )

    def test_no_group_means_no_ola_clock(self, frozen, define, new_task):
        define(Target.OLA, 2 * H)
        task = new_task()
        assert not task.sla_clocks.exists()
        change(task, assignment_group=TeamFactory())
        assert clock_of(task, Target.OLA).team == task.assignment_group

    def test_an_ola_for_one_group_only(self, frozen, define, new_task):
        network = TeamFactory(name="Network")
        define(Target.OLA, 2 * H, assignment_group=network)
        assert not new_task(assignment_group=TeamFactory(name="Desk")).sla_clocks.exists()
        assert new_task(assignment_group=network).sla_clocks.count() == 1

    def test_removing_the_group_stops_its_ola(self, frozen, define, new_task):
        define(Target.OLA, 2 * H)
        task = new_task(assignment_group=TeamFactory())
        change(task, assignment_group=None)
        assert task.sla_clocks.get().stop_reason == StopReason.HANDED_OVER


class TestSyncContract:
    def test_unwatched_changes_cost_no_query(self, frozen, define, new_task, django_assert_num_queries):
        define(Target.RESOLUTION)
        task = new_task()
        before = clock_snapshot(task)
        task.title = "New title"
        with django_assert_num_queries(0):
            assert sync_clocks(task, before=before) == []

    def test_before_may_name_relations_by_instance(self, frozen, define, new_task):
        define(Target.OLA, 2 * H)
        desk = TeamFactory()
        task = new_task(assignment_group=desk)
        task.assignment_group = TeamFactory()
        with transaction.atomic():
            events = sync_clocks(task, before={"assignment_group": desk})
        assert [e.kind for e in events] == [EventKind.MET, EventKind.ATTACHED]

    def test_syncing_twice_changes_nothing_the_second_time(self, frozen, define, new_task):
        define(Target.RESOLUTION, pause_on=[StateCategory.PENDING])
        task = new_task()
        change(task, state_category=StateCategory.PENDING)
        with transaction.atomic():
            assert sync_clocks(task, before=None) == []

    def test_naive_now_is_refused(self, define):
        task = TaskFactory()
        with pytest.raises(ValueError, match="aware"), transaction.atomic():
            attach_clocks(task, now=datetime(2026, 1, 1))

    def test_an_explicit_now_is_used(self, define):
        define(Target.RESOLUTION, 4 * H)
        task = TaskFactory()
        with transaction.atomic():
            (clock,) = attach_clocks(task, now=T0)
        assert clock.due_at == T0 + 4 * H and clock.started_at == T0
        assert clock.target_duration == timedelta(hours=4)
