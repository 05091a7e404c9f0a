"""Occurrences of recurring windows: frequencies, intervals, DST, bounds (pure, no database)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsm.maintenance.recurrence import (
    Frequency,
    MonthlyBy,
    RecurrenceError,
    Rule,
    describe,
    instant,
    occurrences,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekly(**overrides) -> Rule:
    values = {
        "zone": BERLIN,
        "starts_on": date(2025, 1, 5),  # a Sunday
        "start_time": time(1, 0),
        "duration": timedelta(hours=4),
        "frequency": Frequency.WEEKLY,
        "weekdays": (6,),
    }
    return Rule(**(values | overrides))


def test_weekly_occurrences_are_local_wall_clock_in_winter_and_summer():
    # when: one Sunday in January, one in July
    winter = list(occurrences(weekly(), utc(2025, 1, 12), utc(2025, 1, 13)))
    summer = list(occurrences(weekly(), utc(2025, 7, 13), utc(2025, 7, 14)))
    # then: 01:00-05:00 Berlin is 00:00-04:00 UTC in winter, 23:00-03:00 UTC in summer
    assert [(o.start, o.end) for o in winter] == [(utc(2025, 1, 12, 0), utc(2025, 1, 12, 4))]
    assert [(o.start, o.end) for o in summer] == [(utc(2025, 7, 12, 23), utc(2025, 7, 13, 3))]


def test_spring_forward_day_is_an_hour_shorter():
    # given: 2025-03-30 Berlin jumps from 02:00 to 03:00
    [occurrence] = occurrences(weekly(), utc(2025, 3, 29, 12), utc(2025, 3, 31))
    # then: 01:00 CET to 05:00 CEST is three real hours
    assert occurrence.start == utc(2025, 3, 30, 0)
    assert occurrence.end == utc(2025, 3, 30, 3)
    assert occurrence.end - occurrence.start == timedelta(hours=3)


def test_autumn_back_day_is_an_hour_longer():
    # given: 2025-10-26 Berlin goes back from 03:00 to 02:00
    [occurrence] = occurrences(weekly(), utc(2025, 10, 25, 12), utc(2025, 10, 27))
    assert occurrence.end - occurrence.start == timedelta(hours=5)


def test_a_start_inside_the_spring_gap_means_the_jump():
    # given: 02:30 does not exist in Berlin on 2025-03-30
    rule = weekly(start_time=time(2, 30), duration=timedelta(hours=1))
    [occurrence] = occurrences(rule, utc(2025, 3, 29), utc(2025, 3, 31))
    # then: it starts when the clocks jump (01:00 UTC) and ends at 03:30 CEST
    assert occurrence.start == utc(2025, 3, 30, 1)
    assert occurrence.end == utc(2025, 3, 30, 1, 30)


def test_a_repeated_autumn_time_means_its_first_occurrence():
    assert instant(datetime(2025, 10, 26, 2, 30), BERLIN) == utc(2025, 10, 26, 0, 30)


def test_an_occurrence_running_at_the_start_of_the_range_is_included():
    rule = weekly(start_time=time(22), duration=timedelta(hours=8), weekdays=(5,))  # Sat 22:00 - Sun 06:00
    found = list(occurrences(rule, utc(2025, 1, 12, 3), utc(2025, 1, 12, 4)))
    assert [(o.start, o.end) for o in found] == [(utc(2025, 1, 11, 21), utc(2025, 1, 12, 5))]


def test_an_occurrence_ending_exactly_at_the_range_start_does_not_overlap():
    assert list(occurrences(weekly(), utc(2025, 1, 12, 4), utc(2025, 1, 12, 5))) == []


def test_interval_every_second_week_on_two_weekdays():
    rule = weekly(weekdays=(5, 6), interval=2, starts_on=date(2025, 1, 4))  # Saturday, week 1
    found = list(occurrences(rule, utc(2025, 1, 1), utc(2025, 2, 1)))
    assert [o.start.astimezone(BERLIN).date() for o in found] == [
        date(2025, 1, 4),
        date(2025, 1, 5),
        date(2025, 1, 18),
        date(2025, 1, 19),
    ]


def test_daily_with_until_inclusive():
    rule = Rule(
        BERLIN, date(2025, 5, 1), time(12), timedelta(minutes=30), Frequency.DAILY, until=date(2025, 5, 3)
    )
    found = list(occurrences(rule, utc(2025, 4, 1), utc(2025, 6, 1)))
    assert [o.start.astimezone(BERLIN).day for o in found] == [1, 2, 3]


def test_once_occurs_once():
    rule = Rule(NEW_YORK, date(2025, 12, 20), time(0), timedelta(days=7))
    found = list(occurrences(rule, utc(2025, 1, 1), utc(2026, 12, 31)))
    assert [(o.start, o.end) for o in found] == [(utc(2025, 12, 20, 5), utc(2025, 12, 27, 5))]


@pytest.mark.parametrize(
    ("monthly_by", "starts_on", "expected_days"),
    # day 31 skips short months; the 2nd Tuesday; the last Friday
    [
        (MonthlyBy.DAY, date(2025, 1, 31), [(1, 31), (3, 31), (5, 31)]),
        (MonthlyBy.NTH_WEEKDAY, date(2025, 1, 14), [(1, 14), (2, 11), (3, 11), (4, 8), (5, 13)]),
        (MonthlyBy.LAST_WEEKDAY, date(2025, 1, 31), [(1, 31), (2, 28), (3, 28), (4, 25), (5, 30)]),
    ],
)
def test_monthly_rules(monthly_by, starts_on, expected_days):
    rule = Rule(BERLIN, starts_on, time(20), timedelta(hours=2), Frequency.MONTHLY, monthly_by=monthly_by)
    found = list(occurrences(rule, utc(2025, 1, 1), utc(2025, 6, 1)))
    local = [o.start.astimezone(BERLIN) for o in found]
    assert [(when.month, when.day) for when in local] == expected_days


@pytest.mark.parametrize(
    "overrides",
    [
        {"weekdays": ()},
        {"interval": 0},
        {"duration": timedelta(0)},
        {"weekdays": (7,)},
        {"until": date(2024, 1, 1)},
    ],
)
def test_impossible_rules_are_refused(overrides):
    with pytest.raises(RecurrenceError):
        weekly(**overrides)


def test_naive_bounds_and_huge_ranges_are_refused():
    with pytest.raises(ValueError, match="aware"):
        list(occurrences(weekly(), datetime(2025, 1, 1), utc(2025, 2, 1)))
    with pytest.raises(ValueError, match="at most"):
        list(occurrences(weekly(), utc(2000, 1, 1), utc(2025, 1, 1)))


def test_describe():
    text = describe(weekly(weekdays=(5, 6), interval=2, until=date(2025, 12, 31)))
    assert text == "Every 2 weeks on Sat, Sun at 01:00 for 4 h (Europe/Berlin), until 2025-12-31"


@given(
    start_hour=st.integers(0, 23),
    minutes=st.integers(1, 48 * 60),
    offset_days=st.integers(0, 400),
    span_hours=st.integers(1, 24 * 20),
)
def test_occurrences_are_ordered_and_overlap_the_range(start_hour, minutes, offset_days, span_hours):
    rule = weekly(start_time=time(start_hour), duration=timedelta(minutes=minutes), weekdays=(0, 3, 6))
    start = utc(2025, 1, 1) + timedelta(days=offset_days)
    end = start + timedelta(hours=span_hours)
    found = list(occurrences(rule, start, end))
    for occurrence in found:
        assert occurrence.start < occurrence.end
        assert occurrence.start < end and start < occurrence.end
    assert found == sorted(found)
