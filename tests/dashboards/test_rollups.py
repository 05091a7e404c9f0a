"""Overview KPIs from the daily rollups, each against a hand-computed expectation, and equal to live SQL.

The fixed data set (period 1–7 March 2026, days cut in Europe/Paris, UTC+1):

inc prio team  opened (UTC)        responded  resolved (UTC)          notes
a   P1   desk  2 Mar 10:00        +30 min    2 Mar 14:00 (+4 h)      first contact; rated 5
b   P1   desk  3 Mar 10:00        +90 min    3 Mar 18:00 (+8 h)      resolved 14:00, reopened; rated 2, 4
h   P1   desk  4 Mar 08:00        +60 min    4 Mar 09:00 (+1 h)      first contact
f   P2   other 5 Mar 22:30        +30 min    5 Mar 23:15 = 6th Paris passed desk -> other; major
e   P4   other 4 Mar 10:00                   4 Mar 11:00             cancelled
c   P3   desk  6 Mar 23:30 = 7th Paris                               open; response clock at risk
g   P3   desk  7 Mar 20:00                   7 Mar 23:30 = 8th Paris resolved after the period (Paris)
d   P3   desk  15 Feb                                                pending; response breached 5 Mar
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, Rating
from itsm.core.choices import Priority, StateCategory, TaskKind, TimelineKind
from itsm.core.models import Task, TimelineEntry
from itsm.core.services.numbering import next_number
from itsm.dashboards import rollups, selectors
from itsm.dashboards.models import IncidentDay, RollupState, SLADay
from itsm.sla.choices import ClockStage, Target
from itsm.sla.models import Calendar, SLAClock, SLADefinition, WorkingWindow
from tests.factories import ServiceFactory, TaskFactory, TeamFactory, UserFactory

URL = reverse("dashboards:home")
NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
PERIOD = {"period": "custom", "start": "2026-03-01", "end": "2026-03-07"}


def at(day, hour=10, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture(name="paris")
def paris_fixture(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        yield


def incident(requester, *, opened, responded=None, resolved=None, **fields):
    fields.setdefault("state", "in_progress")
    fields.setdefault("state_category", StateCategory.OPEN)
    record = Incident.objects.create(
        number=next_number(TaskKind.INCIDENT),
        kind=TaskKind.INCIDENT,
        title="Broken",
        requester=requester,
        **fields,
    )
    Task.objects.filter(pk=record.pk).update(opened_at=opened, responded_at=responded, resolved_at=resolved)
    return record


def entry(task, action, when, **changes):
    row = TimelineEntry.objects.create(task=task, kind=TimelineKind.SYSTEM, action=action, changes=changes)
    TimelineEntry.objects.filter(pk=row.pk).update(created_at=when)


def clock(task, definition, *, stage, started, stopped=None, breached=None, warned=0):
    return SLAClock.objects.create(
        task=task,
        definition=definition,
        target=definition.target,
        stage=stage,
        started_at=started,
        running_since=started if stage == ClockStage.RUNNING else None,
        paused_since=started if stage == ClockStage.PAUSED else None,
        target_duration=definition.duration,
        stopped_at=stopped,
        breached_at=breached,
        warned_percent=warned,
        next_event_at=NOW + timedelta(hours=1) if stage == ClockStage.RUNNING else None,
    )


@pytest.fixture(name="data")
def data_fixture(db, paris):
    requester = UserFactory(roles=["requester"])
    desk, other = TeamFactory(name="Desk"), TeamFactory(name="Other")
    mail, web = ServiceFactory(name="Mail"), ServiceFactory(name="Web")
    done = {"state": "resolved", "state_category": StateCategory.RESOLVED}
    rows = {
        "a": incident(requester, opened=at(2), responded=at(2, 10, 30), resolved=at(2, 14),
                      priority=Priority.CRITICAL, assignment_group=desk, service=mail, **done),
        "b": incident(requester, opened=at(3), responded=at(3, 11, 30), resolved=at(3, 18),
                      priority=Priority.CRITICAL, assignment_group=desk, service=mail, **done),
        "h": incident(requester, opened=at(4, 8), responded=at(4, 9), resolved=at(4, 9),
                      priority=Priority.CRITICAL, assignment_group=desk, service=mail, **done),
        "f": incident(requester, opened=at(5, 22, 30), responded=at(5, 23), resolved=at(5, 23, 15),
                      priority=Priority.HIGH, assignment_group=other, service=web, major_state="accepted",
                      **done),
        "e": incident(requester, opened=at(4), resolved=at(4, 11), priority=Priority.LOW,
                      assignment_group=other, state="cancelled", state_category=StateCategory.CANCELLED),
        "c": incident(requester, opened=at(6, 23, 30), priority=Priority.MODERATE, assignment_group=desk),
        "g": incident(requester, opened=at(7, 20), resolved=at(7, 23, 30), priority=Priority.MODERATE,
                      assignment_group=desk, **done),
        "d": incident(requester, opened=datetime(2026, 2, 15, 9, tzinfo=UTC), priority=Priority.MODERATE,
                      assignment_group=desk, state="pending", state_category=StateCategory.PENDING),
    }  # fmt: skip
    TaskFactory(kind=TaskKind.CHANGE, priority=Priority.CRITICAL)  # never an incident figure
    # b: resolved at 14:00, reopened at 15:00, resolved again at 18:00; f passed from desk to other.
    entry(rows["b"], rollups.RESOLVE_ACTION, at(3, 14))
    entry(rows["b"], rollups.REOPEN_ACTION, at(3, 15))
    entry(rows["b"], rollups.RESOLVE_ACTION, at(3, 18))
    entry(rows["f"], rollups.ASSIGN_ACTION, at(5, 22, 31), assignment_group={"old": None, "new": desk.pk})
    entry(rows["f"], rollups.ASSIGN_ACTION, at(5, 22, 40), assignment_group={"old": desk.pk, "new": other.pk})
    entry(rows["a"], rollups.ASSIGN_ACTION, at(2, 10, 5), assignment_group={"old": None, "new": desk.pk})
    Rating.objects.create(incident=rows["a"], rated_by=requester, score=5, resolved_at=at(2, 14))
    Rating.objects.create(incident=rows["b"], rated_by=requester, score=2, resolved_at=at(3, 14))
    Rating.objects.create(incident=rows["b"], rated_by=requester, score=4, resolved_at=at(3, 18))
    calendar = Calendar.objects.create(name="24x7", time_zone="UTC")
    for weekday in range(7):
        WorkingWindow.objects.create(calendar=calendar, weekday=weekday, start=time(0), end=time(0))
    response = SLADefinition.objects.create(
        name="Response 1h", target=Target.RESPONSE, duration=timedelta(hours=1), calendar=calendar
    )
    resolution = SLADefinition.objects.create(
        name="Resolution 8h", target=Target.RESOLUTION, duration=timedelta(hours=8), calendar=calendar
    )
    met, running, paused = ClockStage.MET, ClockStage.RUNNING, ClockStage.PAUSED
    clock(rows["a"], response, stage=met, started=at(2), stopped=at(2, 10, 30))
    clock(rows["a"], resolution, stage=met, started=at(2), stopped=at(2, 14))
    clock(
        rows["b"], response, stage=met, started=at(3), stopped=at(3, 11, 30), breached=at(3, 11)
    )  # met late
    clock(rows["h"], response, stage=met, started=at(4, 8), stopped=at(4, 9))
    clock(
        rows["f"], response, stage=met, started=at(5, 22, 30), stopped=at(5, 23)
    )  # decided the 6th in Paris
    clock(
        rows["e"], response, stage=ClockStage.CANCELLED, started=at(4), stopped=at(4, 11), breached=at(4, 11)
    )
    clock(rows["c"], response, stage=running, started=at(6, 23, 30), warned=50)  # at risk now
    clock(rows["c"], resolution, stage=paused, started=at(6, 23, 30))  # paused: not decided, not at risk
    clock(rows["d"], response, stage=running, started=at(1), breached=at(5, 9), warned=100)  # breached now
    rows.update(desk=desk, other=other, mail=mail, web=web, response=response, resolution=resolution)
    return rows


def scope_for(user, **fields):
    tz = timezone.get_current_timezone()
    start = datetime(2026, 3, 1, tzinfo=tz)
    return selectors.Scope(user=user, start=start, end=start + timedelta(days=7), **fields)


@pytest.fixture
def built(data):
    rollups.rebuild(now=NOW)
    return data


def test_period_figures_match_the_hand_computed_values(built, manager):
    figures = selectors.period_figures(scope_for(manager))
    flow = {key.day: (opened, resolved) for key, opened, resolved in figures["flow"]}
    assert len(flow) == 7 and not figures["weekly"]
    # opened: a 2nd, b 3rd, e and h 4th, f 5th, c and g 7th (c is 23:30 UTC on the 6th)
    assert {day: pair[0] for day, pair in flow.items()} == {1: 0, 2: 1, 3: 1, 4: 2, 5: 1, 6: 0, 7: 2}
    # resolved: a, b, e (cancelled), h, f (the 6th in Paris); g is the 8th in Paris
    assert {day: pair[1] for day, pair in flow.items()} == {1: 0, 2: 1, 3: 1, 4: 2, 5: 0, 6: 1, 7: 0}
    assert figures["totals"] == {"opened": 7, "resolved": 5}
    p1 = figures["times"][Priority.CRITICAL]
    assert p1["resolved"] == 3
    assert p1["mean_respond"] == timedelta(hours=1)  # (30 + 90 + 60) / 3 min
    assert p1["mean_resolve"] == timedelta(hours=4, minutes=20)  # (4 + 8 + 1) / 3 h
    assert figures["times"][Priority.HIGH]["mean_resolve"] == timedelta(minutes=45)
    assert Priority.LOW not in figures["times"]  # e is cancelled
    rates = figures["rates"]
    assert (rates["resolved"], rates["reopened"], rates["first_contact"]) == (
        4,
        1,
        2,
    )  # a and h first contact
    assert (rates["reopen_rate"], rates["first_contact_rate"]) == (25.0, 50.0)
    assert (rates["csat_count"], rates["csat_average"]) == (3, round(11 / 3, 2))
    assert rates["major_opened"] == 1
    assert figures["services"] == [(built["mail"].pk, 3), (built["web"].pk, 1)]


def test_medians_are_live_and_differ_from_means(built, manager):
    medians = selectors.median_times(scope_for(manager))
    assert medians[Priority.CRITICAL] == {"respond": timedelta(hours=1), "resolve": timedelta(hours=4)}
    assert medians[Priority.HIGH] == {"respond": timedelta(minutes=30), "resolve": timedelta(minutes=45)}
    assert Priority.LOW not in medians
    tz = timezone.get_current_timezone()
    year = selectors.Scope(
        user=manager, start=datetime(2025, 3, 8, tzinfo=tz), end=datetime(2026, 3, 8, tzinfo=tz)
    )
    assert selectors.median_times(year) == {}  # longer than MEDIAN_MAX_DAYS: not sorted live


def test_sla_compliance_counts_decided_clocks_only(built, manager):
    sla = selectors.sla_compliance(scope_for(manager))
    response, resolution = built["response"].pk, built["resolution"].pk
    # response: a, h met; b met late (breached); f met (the 6th); d breached while open (5th);
    # e cancelled and c running are not decided. resolution: a met; c's paused clock is not decided.
    assert sla["definition_id"][response][Target.RESPONSE] == [3, 2]
    assert sla["definition_id"][resolution][Target.RESOLUTION] == [1, 0]
    assert sla["priority"][Priority.CRITICAL][Target.RESPONSE] == [2, 1]
    assert sla["team_id"][built["other"].pk][Target.RESPONSE] == [1, 0]
    assert sla["service_id"][None][Target.RESPONSE] == [0, 1]  # d has no service


def test_now_figures(built, manager):
    now = selectors.now_figures(scope_for(manager))
    assert now == {"breached": 1, "at_risk": 1, "major_open": 0}  # f is major but resolved


def test_rollups_equal_live_sql(built, manager):
    """The rollup figures equal the live aggregate queries on the same data, per filter."""
    for fields in (
        {},
        {"teams": (built["desk"].pk,)},
        {"priority": Priority.CRITICAL},
        {"service": built["web"].pk},
    ):
        scope = scope_for(manager, **fields)
        figures = selectors.period_figures(scope)
        live = selectors.period_totals(scope)
        assert figures["totals"] == {"opened": live["opened"], "resolved": live["resolved"]}
        assert [row[1:] for row in figures["flow"]] == [
            row[1:] for row in selectors.incoming_vs_resolved(scope)
        ]
        for priority, row in selectors.resolution_times(scope).items():
            assert figures["times"][priority]["resolved"] == row["resolved"]
            assert figures["times"][priority]["mean_resolve"] == row["mean_resolve"]
            assert figures["times"][priority]["mean_respond"] == row["mean_respond"]
    assert RollupState.objects.get().time_zone == "Europe/Paris"


def test_filters_and_empty_periods(built, manager):
    other = selectors.period_figures(scope_for(manager, teams=(built["other"].pk,)))
    assert other["totals"] == {"opened": 2, "resolved": 2}  # e (cancelled) and f
    assert other["rates"]["reopen_rate"] == 0.0 and other["rates"]["first_contact_rate"] == 0.0
    tz = timezone.get_current_timezone()
    empty = selectors.Scope(
        user=manager, start=datetime(2025, 1, 1, tzinfo=tz), end=datetime(2025, 1, 8, tzinfo=tz)
    )
    figures = selectors.period_figures(empty)
    assert figures["totals"] == {"opened": 0, "resolved": 0}
    assert figures["rates"]["reopen_rate"] is None and figures["rates"]["csat_average"] is None
    assert figures["times"] == {} and figures["services"] == []


def test_long_periods_are_weekly(built, manager):
    tz = timezone.get_current_timezone()
    scope = selectors.Scope(
        user=manager, start=datetime(2026, 2, 1, tzinfo=tz), end=datetime(2026, 3, 9, tzinfo=tz)
    )
    figures = selectors.period_figures(scope)
    assert figures["weekly"]
    weeks = {key: (opened, resolved) for key, opened, resolved in figures["flow"]}
    assert all(key.weekday() == 0 for key in weeks)  # Mondays
    # Mon 2 – Sun 8 Mar: every incident opened in March; g's resolution (the 8th in Paris) is after
    # the rollups' "today" (7 Mar), so not counted yet.
    assert weeks[date(2026, 3, 2)] == (7, 5)
    assert weeks[date(2026, 2, 9)] == (1, 0)  # d opened Sunday 15 Feb
    assert sum(opened for opened, _ in weeks.values()) == 8


def test_incremental_refresh_recomputes_touched_days(built, manager):
    """A reopen clears resolved_at: the day it had been resolved on loses it at the next refresh."""
    rollups.refresh(now=NOW)
    later = NOW + timedelta(minutes=30)
    Task.objects.filter(pk=built["a"].pk).update(
        resolved_at=None, state="in_progress", state_category=StateCategory.OPEN, updated_at=later
    )
    entry(built["a"], rollups.REOPEN_ACTION, later)
    assert selectors.period_figures(scope_for(manager))["totals"]["resolved"] == 5  # not refreshed yet
    days = rollups.refresh(now=later + timedelta(minutes=1))
    assert days >= 2  # today and the 2nd
    figures = selectors.period_figures(scope_for(manager))
    assert figures["totals"]["resolved"] == 4
    assert selectors.period_totals(scope_for(manager))["resolved"] == 4
    assert RollupState.objects.get().refreshed_at == later + timedelta(minutes=1)


def test_refresh_without_state_rebuilds(data):
    assert rollups.refresh(now=NOW) > 7
    assert IncidentDay.objects.exists() and SLADay.objects.exists()


def test_touched_days_include_clocks_and_ratings(built):
    later = NOW + timedelta(hours=1)
    SLAClock.objects.filter(task=built["d"]).update(
        stage=ClockStage.MET, stopped_at=later, next_event_at=None
    )
    days = rollups.touched_days(NOW, later)
    assert date(2026, 3, 5) in days  # d's breach day loses an open breached clock
    Rating.objects.create(incident=built["h"], rated_by=built["h"].requester, score=3, resolved_at=at(4, 9))
    assert date(2026, 3, 4) in rollups.touched_days(NOW - timedelta(minutes=1), later)


def test_ranges_split_gaps_and_long_runs():
    days = [date(2026, 1, d) for d in (1, 2, 3, 5)] + [
        date(2026, 2, 1) + timedelta(days=n) for n in range(40)
    ]
    assert list(rollups.ranges(days, longest=31)) == [
        (date(2026, 1, 1), date(2026, 1, 3)),
        (date(2026, 1, 5), date(2026, 1, 5)),
        (date(2026, 2, 1), date(2026, 3, 3)),
        (date(2026, 3, 4), date(2026, 3, 12)),
    ]


def test_one_pass_open_summary_equals_the_single_figures(built, manager):
    for fields in ({}, {"teams": (built["desk"].pk,)}, {"priority": Priority.MODERATE}):
        scope = scope_for(manager, **fields)
        summary = selectors.open_summary(scope, now=NOW)
        assert summary["by_priority"] == selectors.backlog_by_priority(scope)
        assert summary["ageing"] == selectors.backlog_ageing(scope, now=NOW)
        assert summary["now"] == selectors.now_figures(scope)
        groups = {team_id: total for team_id, _name, total in selectors.backlog_by_group(scope)}
        assert {k: v for k, v in summary["by_group"].items() if v} == groups


def test_backlog_summary_of_every_kind(built):
    summary = selectors.backlog_summary(Task.objects.active())
    # c, d (incidents) and the open change; d is pending; all unassigned
    assert summary["totals"] == {"open_total": 3, "unassigned": 3, "urgent": 1, "pending": 1}
    assert summary["by_kind"] == {TaskKind.INCIDENT: 2, TaskKind.CHANGE: 1}
    assert summary["by_team"][built["desk"].pk] == 2
