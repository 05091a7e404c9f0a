"""The business-time engine: worked examples, then properties checked by hypothesis."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itsm.sla.engine import BusinessCalendar, CalendarError, add_business_time, business_time_between

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)

#: Mon-Fri 08:00-12:00 and 13:00-17:00 in Berlin, with 2026-12-25 and 2026-12-28 as holidays.
SPLIT_DAYS = BusinessCalendar.build(
    "Europe/Berlin",
    {day: [("08:00", "12:00"), ("13:00", "17:00")] for day in range(5)},
    holidays=[date(2026, 12, 25), date(2026, 12, 28)],
)
ALWAYS_BERLIN = BusinessCalendar.always_open("Europe/Berlin")
NIGHT_SHIFT_NY = BusinessCalendar.build("America/New_York", {day: [("00:00", "03:00")] for day in range(7)})


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


class TestWorkedExamples:
    def test_within_one_window(self):
        assert add_business_time(berlin(2026, 11, 25, 9, 0), 2 * H, SPLIT_DAYS) == berlin(2026, 11, 25, 11, 0)

    def test_lunch_break_is_skipped(self):
        assert add_business_time(berlin(2026, 11, 25, 11, 0), 2 * H, SPLIT_DAYS) == berlin(
            2026, 11, 25, 14, 0
        )

    def test_ending_exactly_at_a_windows_end_is_due_at_that_end(self):
        assert add_business_time(berlin(2026, 11, 25, 16, 0), H, SPLIT_DAYS) == berlin(2026, 11, 25, 17, 0)
        assert add_business_time(berlin(2026, 11, 25, 11, 0), H, SPLIT_DAYS) == berlin(2026, 11, 25, 12, 0)

    def test_weekend_is_skipped(self):
        # Friday 16:00 + 2h = Monday 09:00
        assert add_business_time(berlin(2026, 11, 27, 16, 0), 2 * H, SPLIT_DAYS) == berlin(2026, 11, 30, 9, 0)

    def test_start_outside_hours_counts_from_the_next_opening(self):
        assert add_business_time(berlin(2026, 11, 25, 6, 30), 30 * M, SPLIT_DAYS) == berlin(
            2026, 11, 25, 8, 30
        )
        assert add_business_time(berlin(2026, 11, 25, 12, 30), 30 * M, SPLIT_DAYS) == berlin(
            2026, 11, 25, 13, 30
        )
        assert add_business_time(berlin(2026, 11, 28, 10, 0), H, SPLIT_DAYS) == berlin(2026, 11, 30, 9, 0)

    def test_holidays_are_skipped(self):
        # Thu 24 Dec 16:00 + 2h: Fri 25 is a holiday, Mon 28 too -> Tue 29 09:00
        assert add_business_time(berlin(2026, 12, 24, 16, 0), 2 * H, SPLIT_DAYS) == berlin(2026, 12, 29, 9, 0)

    def test_a_full_business_week(self):
        assert add_business_time(berlin(2026, 11, 23, 8, 0), 40 * H, SPLIT_DAYS) == berlin(
            2026, 11, 27, 17, 0
        )

    def test_zero_duration_is_the_start(self):
        start = berlin(2026, 11, 28, 3, 0)
        assert add_business_time(start, timedelta(0), SPLIT_DAYS) == start

    def test_result_keeps_the_start_zone(self):
        start = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
        due = add_business_time(start, H, SPLIT_DAYS)
        assert due.tzinfo is UTC and due == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def test_business_time_between_counts_only_working_time(self):
        assert (
            business_time_between(berlin(2026, 11, 27, 16, 0), berlin(2026, 11, 30, 9, 0), SPLIT_DAYS)
            == 2 * H
        )
        assert business_time_between(
            berlin(2026, 11, 28, 0, 0), berlin(2026, 11, 29, 23, 0), SPLIT_DAYS
        ) == timedelta(0)

    def test_business_time_between_is_negative_when_overdue(self):
        assert (
            business_time_between(berlin(2026, 11, 25, 11, 0), berlin(2026, 11, 25, 10, 0), SPLIT_DAYS) == -H
        )


class TestDaylightSaving:
    def test_spring_forward_day_has_23_hours_on_a_24x7_calendar(self):
        start = berlin(2026, 3, 29, 0, 0)
        assert add_business_time(start, 24 * H, ALWAYS_BERLIN) == berlin(2026, 3, 30, 1, 0)
        assert business_time_between(start, berlin(2026, 3, 30, 0, 0), ALWAYS_BERLIN) == 23 * H

    def test_fall_back_day_has_25_hours_on_a_24x7_calendar(self):
        start = berlin(2026, 10, 25, 0, 0)
        assert business_time_between(start, berlin(2026, 10, 26, 0, 0), ALWAYS_BERLIN) == 25 * H
        assert add_business_time(start, 25 * H, ALWAYS_BERLIN) == berlin(2026, 10, 26, 0, 0)

    def test_window_spanning_the_spring_gap_is_shorter_in_real_time(self):
        # New York jumps 02:00 -> 03:00 on 8 March 2026: the 00:00-03:00 window is 2 real hours.
        start = datetime(2026, 3, 8, 0, 0, tzinfo=NEW_YORK)
        assert add_business_time(start, 2 * H, NIGHT_SHIFT_NY) == datetime(2026, 3, 8, 3, 0, tzinfo=NEW_YORK)
        assert add_business_time(start, 3 * H, NIGHT_SHIFT_NY) == datetime(2026, 3, 9, 1, 0, tzinfo=NEW_YORK)

    def test_window_spanning_the_autumn_repeat_is_longer_in_real_time(self):
        # New York repeats 01:00-02:00 on 1 November 2026: the 00:00-03:00 window is 4 real hours.
        start = datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK)
        end = datetime(2026, 11, 1, 3, 0, tzinfo=NEW_YORK)
        assert business_time_between(start, end, NIGHT_SHIFT_NY) == 4 * H

    def test_windows_on_both_sides_of_a_gap_never_overlap(self):
        calendar = BusinessCalendar.build("Europe/Berlin", {6: [("01:00", "02:45"), ("03:00", "05:00")]})
        day_start, day_end = berlin(2026, 3, 29, 0, 0), berlin(2026, 3, 30, 0, 0)
        # 01:00-02:00 (02:00-02:45 does not exist) and 03:00-05:00: three real hours
        assert business_time_between(day_start, day_end, calendar) == 3 * H


class TestRefusals:
    def test_naive_datetimes_are_rejected(self):
        with pytest.raises(ValueError, match="aware"):
            add_business_time(datetime(2026, 1, 1, 9, 0), H, SPLIT_DAYS)
        with pytest.raises(ValueError, match="aware"):
            business_time_between(berlin(2026, 1, 1), datetime(2026, 1, 2), SPLIT_DAYS)

    def test_calendar_without_working_time_is_refused(self):
        with pytest.raises(CalendarError, match="no working time"):
            BusinessCalendar.build("UTC", {})
        with pytest.raises(CalendarError, match="no working time"):
            BusinessCalendar.build("UTC", {0: []})

    @pytest.mark.parametrize(
        ("windows", "message"),
        [
            ({0: [("17:00", "08:00")]}, "start before it ends"),
            ({0: [("08:00", "12:00"), ("11:00", "13:00")]}, "overlap"),
            ({7: [("08:00", "12:00")]}, "Weekday"),
            ({0: [("8 am", "12:00")]}, "not a time of day"),
        ],
    )
    def test_bad_windows_are_refused_clearly(self, windows, message):
        with pytest.raises(CalendarError, match=message):
            BusinessCalendar.build("UTC", windows)

    def test_unknown_zone_is_refused(self):
        with pytest.raises(CalendarError, match="Unknown time zone"):
            BusinessCalendar.build("Mars/Olympus", {0: [("08:00", "12:00")]})

    def test_a_calendar_whose_working_days_are_all_holidays_ends_with_an_error(self):
        mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(52 * 11)]
        calendar = BusinessCalendar.build("UTC", {0: [("08:00", "09:00")]}, holidays=mondays)
        with pytest.raises(CalendarError, match="No working time"):
            add_business_time(datetime(2026, 1, 1, tzinfo=UTC), H, calendar)

    def test_negative_duration_is_refused(self):
        with pytest.raises(ValueError, match="negative"):
            add_business_time(berlin(2026, 1, 5, 9, 0), -H, SPLIT_DAYS)


# --- properties ---------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
CALENDAR_SHAPES = [
    {day: [("08:00", "12:00"), ("13:00", "17:00")] for day in range(5)},
    {day: [("00:00", "24:00")] for day in range(7)},
    {day: [("01:30", "02:30"), ("22:00", "24:00")] for day in range(7)},  # windows across DST hours
    {2: [("09:00", "09:15")], 5: [("00:00", "03:00")]},
]


@st.composite
def calendars(draw):
    zone = draw(st.sampled_from(ZONES))
    shape = draw(st.sampled_from(CALENDAR_SHAPES))
    holidays = draw(st.lists(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=20))
    return BusinessCalendar.build(zone, shape, holidays)


instants = st.datetimes(datetime(2025, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
durations = st.integers(0, 20 * 24 * 3600).map(lambda seconds: timedelta(seconds=seconds))


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, durations)
def test_measuring_back_an_added_duration_returns_it(calendar, start, duration):
    due = add_business_time(start, duration, calendar)
    assert due >= start
    assert business_time_between(start, due, calendar) == duration


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, durations, durations)
def test_more_time_is_never_due_earlier(calendar, start, d1, d2):
    shorter, longer = sorted([d1, d2])
    assert add_business_time(start, shorter, calendar) <= add_business_time(start, longer, calendar)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, instants, durations)
def test_a_later_start_is_never_due_earlier(calendar, s1, s2, duration):
    earlier, later = sorted([s1, s2])
    assert add_business_time(earlier, duration, calendar) <= add_business_time(later, duration, calendar)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, instants, instants)
def test_business_time_adds_up_over_consecutive_spans(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    whole = business_time_between(a, c, calendar)
    assert whole == business_time_between(a, b, calendar) + business_time_between(b, c, calendar)
    assert timedelta(0) <= whole <= c - a


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ZONES), instants, durations)
def test_on_a_24x7_calendar_business_time_is_real_time(zone, start, duration):
    calendar = BusinessCalendar.always_open(zone)
    assert add_business_time(start, duration, calendar) == start + duration
