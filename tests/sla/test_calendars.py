"""Calendars: validation on every write path, the engine calendar, public holidays, re-computation."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.sla.choices import ClockStage, RecomputeStatus, Target
from itsm.sla.models import Calendar, ClockRecompute, SLAClock, WorkingWindow
from itsm.sla.services import create_calendar, import_public_holidays, update_calendar
from itsm.sla.services.calendars import full_day_windows
from itsm.sla.services.definitions import save_definition
from itsm.sla.services.recompute import run_recompute
from tests.sla.conftest import T0, H, clock_of

pytestmark = pytest.mark.django_db


def _rows(calendar: Calendar) -> list[dict]:
    return [{"weekday": w.weekday, "start": w.start, "end": w.end} for w in calendar.windows.all()]


def window(weekday: int, start: str, end: str) -> dict:
    return {"weekday": weekday, "start": time.fromisoformat(start), "end": time.fromisoformat(end)}


class TestValidation:
    def test_a_calendar_without_windows_is_refused_with_a_clear_message(self):
        with pytest.raises(ValidationError) as caught:
            create_calendar(name="Never", time_zone="UTC", windows=[])
        assert caught.value.message_dict == {
            "windows": ["The calendar has no working time: add at least one working window."]
        }
        assert not Calendar.objects.exists()

    def test_an_unknown_time_zone_is_refused(self):
        with pytest.raises(ValidationError) as caught:
            create_calendar(name="Mars", time_zone="Mars/Olympus", windows=full_day_windows())
        assert "time_zone" in caught.value.message_dict

    def test_overlapping_windows_are_refused(self):
        with pytest.raises(ValidationError) as caught:
            create_calendar(
                name="X", time_zone="UTC", windows=[window(0, "08:00", "12:00"), window(0, "11:00", "13:00")]
            )
        assert "overlap" in caught.value.message_dict["windows"][0]

    def test_a_window_must_end_after_it_starts(self):
        with pytest.raises(ValidationError) as caught:
            create_calendar(name="X", time_zone="UTC", windows=[window(0, "12:00", "08:00")])
        assert "windows.0.end" in caught.value.message_dict
        with pytest.raises(ValidationError):
            WorkingWindow(weekday=0, start=time(12), end=time(8)).clean()

    def test_duplicate_names_are_refused(self, always_open):
        with pytest.raises(ValidationError) as caught:
            create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
        assert "name" in caught.value.message_dict

    def test_model_clean_refuses_a_stored_calendar_without_working_time(self, always_open):
        always_open.windows.all().delete()
        with pytest.raises(ValidationError) as caught:
            always_open.full_clean()
        assert "no working time" in caught.value.message_dict["windows"][0]

    def test_removing_every_window_of_a_calendar_is_refused(self, always_open):
        with pytest.raises(ValidationError):
            update_calendar(always_open, changes={}, windows=[])
        assert always_open.windows.count() == 7


class TestEngineCalendar:
    def test_split_days_and_midnight(self, office_hours, always_open):
        engine = office_hours.to_engine()
        assert [(w.start, w.end) for w in engine.windows[0]] == [(480, 720), (780, 1020)]
        assert 5 not in engine.windows
        assert [(w.start, w.end) for w in always_open.to_engine().windows[6]] == [(0, 1440)]

    def test_holidays_are_local_dates(self, office_hours):
        update_calendar(
            office_hours, changes={}, holidays=[{"date": date(2026, 12, 24), "name": "Christmas Eve"}]
        )
        assert office_hours.to_engine().holidays == frozenset({date(2026, 12, 24)})

    def test_engine_calendars_are_cached_per_set_of_rules(self, office_hours, django_assert_num_queries):
        # given: a calendar whose engine calendar was built once
        office_hours.to_engine()
        # when / then: another instance of it needs no query for its rules
        fresh = Calendar.objects.get(pk=office_hours.pk)
        with django_assert_num_queries(0):
            fresh.to_engine()

    def test_a_change_of_rules_is_never_served_from_the_cache(self, office_hours):
        # given: an instance read with its rules prefetched, and its engine calendar cached
        loaded = Calendar.objects.with_rules().get(pk=office_hours.pk)
        assert 5 not in loaded.to_engine().windows
        # when: Saturday becomes a working day
        windows = [*_rows(office_hours), window(5, "10:00", "14:00")]
        update_calendar(loaded, changes={}, windows=windows)
        # then: every instance sees the new rules
        assert [(w.start, w.end) for w in loaded.to_engine().windows[5]] == [(600, 840)]
        assert 5 in Calendar.objects.get(pk=office_hours.pk).to_engine().windows
        # and so after a holiday import
        import_public_holidays(loaded, country="DE", years=[2026])
        assert date(2026, 12, 25) in Calendar.objects.get(pk=office_hours.pk).to_engine().holidays

    def test_many_calendars_build_in_three_queries(
        self, office_hours, always_open, django_assert_num_queries
    ):
        with django_assert_num_queries(3):
            engines = [calendar.to_engine() for calendar in Calendar.objects.with_rules()]
        assert len(engines) == 2


class TestPublicHolidays:
    def test_import_for_a_country_and_subdivision(self, office_hours):
        # when
        added = import_public_holidays(office_hours, country="de", subdivision="by", years=[2026])
        # then: Bavaria has Epiphany, the federal list does not
        names = dict(office_hours.holidays.values_list("date", "name"))
        assert added == len(names) >= 12
        assert names[date(2026, 1, 6)] == "Epiphany"

    def test_importing_again_adds_nothing_and_keeps_hand_entered_names(self, office_hours):
        update_calendar(
            office_hours, changes={}, holidays=[{"date": date(2026, 12, 25), "name": "Xmas (ours)"}]
        )
        import_public_holidays(office_hours, country="DE", years=[2026])
        assert import_public_holidays(office_hours, country="DE", years=[2026]) == 0
        assert office_hours.holidays.get(date=date(2026, 12, 25)).name == "Xmas (ours)"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"country": "XX", "years": [2026]}, "country"),
            ({"country": "DE", "subdivision": "ZZ", "years": [2026]}, "subdivision"),
            ({"country": "DE", "years": []}, "years"),
            ({"country": "DE", "years": list(range(2020, 2040))}, "years"),
        ],
    )
    def test_bad_requests_are_field_errors(self, office_hours, params, field):
        with pytest.raises(ValidationError) as caught:
            import_public_holidays(office_hours, **params)
        assert field in caught.value.message_dict

    def test_a_holiday_moves_due_times_of_new_clocks(self, time_machine, office_hours, define, new_task):
        # given: Thursday 2026-12-24 16:00 Berlin, 2 business hours, Christmas imported
        import_public_holidays(office_hours, country="DE", years=[2026])
        time_machine.move_to(datetime(2026, 12, 24, 15, 0, tzinfo=UTC), tick=False)
        define(Target.RESOLUTION, 2 * H, calendar=office_hours)
        # when
        task = new_task()
        # then: the 24th is not a German public holiday, 25th and 26th are, 27th a Sunday -> Mon 28th 09:00
        assert clock_of(task).due_at == datetime(2026, 12, 28, 8, 0, tzinfo=UTC)


class TestRecompute:
    def test_editing_a_calendar_recomputes_running_clocks_in_the_background(
        self, frozen, office_hours, define, new_task, django_capture_on_commit_callbacks
    ):
        # given: Wednesday 10:00 Berlin, 4 business hours -> due 15:00 (lunch break)
        define(Target.RESOLUTION, 4 * H, calendar=office_hours)
        tasks = [new_task() for _ in range(5)]
        assert clock_of(tasks[0]).due_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
        # when: the lunch break is dropped
        days = [window(day, "08:00", "17:00") for day in range(5)]
        with django_capture_on_commit_callbacks(execute=True):
            update_calendar(office_hours, changes={}, windows=days)
        # then: the job ran (inline in tests) and every running clock is due an hour earlier
        job = ClockRecompute.objects.get()
        assert (job.status, job.done, job.total, job.progress_percent) == (RecomputeStatus.DONE, 5, 5, 100)
        assert {clock_of(t).due_at for t in tasks} == {datetime(2026, 11, 25, 13, 0, tzinfo=UTC)}

    def test_the_job_works_in_batches_and_resumes_after_the_last_clock(
        self, frozen, always_open, define, new_task
    ):
        # given: a job that already did the first two clocks
        define(Target.RESOLUTION, 4 * H)
        tasks = [new_task() for _ in range(5)]
        first_two = SLAClock.objects.order_by("pk")[1].pk
        job = ClockRecompute.objects.create(calendar=always_open, done=2, last_clock_id=first_two)
        SLAClock.objects.update(due_at=None)
        # when
        run_recompute(job.pk, batch_size=2)
        # then
        job.refresh_from_db()
        assert (job.status, job.done, job.total) == (RecomputeStatus.DONE, 5, 5)
        due = [clock_of(t).due_at for t in tasks]
        assert due == [None, None, *[T0 + 4 * H] * 3]

    def test_no_job_without_running_clocks(self, frozen, always_open, define, new_task):
        define(Target.RESOLUTION, 4 * H, pause_on=["pending"])
        new_task(state_category="pending")
        update_calendar(always_open, changes={}, holidays=[{"date": date(2026, 12, 25), "name": "Christmas"}])
        assert not ClockRecompute.objects.exists()

    def test_no_job_when_working_time_did_not_change(self, frozen, always_open, define, new_task):
        define(Target.RESOLUTION, 4 * H)
        new_task()
        update_calendar(always_open, changes={"name": "Around the clock", "description": "Renamed"})
        assert not ClockRecompute.objects.exists()

    def test_a_longer_definition_moves_due_times_and_keeps_the_breach(
        self, frozen, define, new_task, django_capture_on_commit_callbacks
    ):
        # given
        definition = define(Target.RESOLUTION, 1 * H)
        task = new_task()
        SLAClock.objects.update(breached_at=T0)
        # when
        definition.duration = 8 * H
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            save_definition(definition)
        # then
        clock = clock_of(task)
        assert (clock.target_duration, clock.due_at, clock.breached_at) == (8 * H, T0 + 8 * H, T0)
        assert clock.stage == ClockStage.RUNNING
