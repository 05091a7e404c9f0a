"""Service desk overview: each figure against a hand-computed expectation on a small fixed data set."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task
from itsm.dashboards import selectors
from tests.factories import TaskFactory, TeamFactory

URL = reverse("dashboards:home")
# Fixed clock: the period is 1–7 March 2026 in Europe/Paris (UTC+1).
NOW = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)


def make(*, opened, resolved=None, responded=None, **fields):
    """A task with fixed timestamps (opened_at is auto_now_add, so it is set after the insert)."""
    task = TaskFactory(**fields)
    Task.objects.filter(pk=task.pk).update(opened_at=opened, resolved_at=resolved, responded_at=responded)
    return task


@pytest.fixture
def data(db, team):
    """Five incidents, one change, one cancelled incident.

    - a: P1, opened 2 Mar 10:00 UTC, responded +30 min, resolved +4 h (resolved)
    - b: P1, opened 3 Mar 10:00 UTC, responded +90 min, resolved +8 h (resolved; reopened then re-resolved
      counts once, on its latest resolution)
    - c: P3, open, opened 6 Mar 23:30 UTC = 7 Mar 00:30 in Paris (day boundary), team
    - d: P3, pending, opened 20 days ago, team
    - e: P4, cancelled, opened and "resolved" 4 Mar: not counted in mean times
    - change: open, P1: not an incident, never counted
    """
    day = lambda d, h=10: datetime(2026, 3, d, h, 0, tzinfo=UTC)  # noqa: E731
    other = TeamFactory(name="Network")
    return {
        "a": make(
            opened=day(2),
            responded=day(2) + timedelta(minutes=30),
            resolved=day(2, 14),
            priority=Priority.CRITICAL,
            state="resolved",
            state_category=StateCategory.RESOLVED,
        ),
        "b": make(
            opened=day(3),
            responded=day(3) + timedelta(minutes=90),
            resolved=day(3, 18),
            priority=Priority.CRITICAL,
            state="resolved",
            state_category=StateCategory.RESOLVED,
        ),
        "c": make(
            opened=datetime(2026, 3, 6, 23, 30, tzinfo=UTC),
            priority=Priority.MODERATE,
            assignment_group=team,
        ),
        "d": make(
            opened=NOW - timedelta(days=20),
            priority=Priority.MODERATE,
            assignment_group=team,
            state="pending",
            state_category=StateCategory.PENDING,
        ),
        "e": make(
            opened=day(4),
            resolved=day(4, 11),
            priority=Priority.LOW,
            assignment_group=other,
            state="cancelled",
            state_category=StateCategory.CANCELLED,
        ),
        "change": make(opened=day(4), kind=TaskKind.CHANGE, priority=Priority.CRITICAL),
        "team": team,
        "other": other,
    }


def scope_for(user, **fields):
    tz = timezone.get_current_timezone()
    start = datetime(2026, 3, 1, tzinfo=tz)
    return selectors.Scope(user=user, start=start, end=start + timedelta(days=7), **fields)


@pytest.fixture
def paris(settings):
    settings.TIME_ZONE = "Europe/Paris"
    with timezone.override("Europe/Paris"):
        yield


def test_backlog_by_priority_counts_open_incidents_only(data, manager):
    counts = selectors.backlog_by_priority(scope_for(manager))
    assert counts[Priority.MODERATE] == 2  # c and d; the open P1 change is not an incident
    assert counts[Priority.CRITICAL] == 0
    assert sum(counts.values()) == 2


def test_backlog_by_group(data, manager):
    assert selectors.backlog_by_group(scope_for(manager)) == [(data["team"].pk, data["team"].name, 2)]


def test_backlog_ageing_buckets(data, manager):
    buckets = {label: total for label, _a, _b, total in selectors.backlog_ageing(scope_for(manager), now=NOW)}
    assert buckets == {"Under 1 day": 1, "1–3 days": 0, "3–7 days": 0, "7–30 days": 1, "Over 30 days": 0}


def test_incoming_vs_resolved_uses_local_days(data, manager, paris):
    flow = {
        day.day: (opened, resolved)
        for day, opened, resolved in selectors.incoming_vs_resolved(scope_for(manager))
    }
    assert len(flow) == 7
    assert flow[2] == (1, 1) and flow[3] == (1, 1) and flow[4] == (1, 1)  # e: cancelled, still opened/closed
    assert flow[6] == (0, 0)
    assert flow[7] == (1, 0)  # c: 23:30 UTC on the 6th is the 7th in Paris


def test_mean_times_leave_out_cancelled(data, manager):
    times = selectors.resolution_times(scope_for(manager))
    assert set(times) == {Priority.CRITICAL}
    p1 = times[Priority.CRITICAL]
    assert p1["resolved"] == 2
    assert p1["mean_respond"] == timedelta(hours=1)  # (30 + 90) / 2 minutes
    assert p1["mean_resolve"] == timedelta(hours=6)  # (4 + 8) / 2 hours


def test_filters_narrow_every_figure(data, manager):
    scope = scope_for(manager, teams=(data["other"].pk,))
    assert sum(selectors.backlog_by_priority(scope).values()) == 0
    assert selectors.period_totals(scope) == {"opened": 1, "resolved": 1, "open_now": 0}
    assert selectors.resolution_times(scope_for(manager, priority=Priority.LOW)) == {}


def test_drill_down_lists_exactly_the_records_counted(data, client_for, manager):
    client = client_for(manager)
    html = client.get(URL, {"period": "custom", "start": "2026-03-01", "end": "2026-03-07"}).content.decode()
    start = html.index('<span class="kpi-label">Incoming</span>')
    href = html[html.rindex('href="', 0, start) + 6 : html.rindex('"><span class="kpi-value">', 0, start)]
    export = (
        reverse("dashboards:export_records") + "?" + href.split("?", 1)[1].split("#")[0].replace("&amp;", "&")
    )

    rows = list(csv.reader(io.StringIO(b"".join(client.get(export).streaming_content).decode())))

    numbers = {row[0] for row in rows[1:]}
    # a, b, e (cancelled, opened in the period), c (the 6th UTC); not d (20 days ago) nor the change
    assert numbers == {data[k].number for k in "abce"}
    listed = client.get(href.replace("&amp;", "&")).content.decode()
    assert all(data[k].number in listed for k in "abce") and data["d"].number not in listed


def test_query_count_is_constant(
    data, client_for, manager, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(URL)  # warm caches (roles, sessions)
    with django_assert_max_num_queries(29) as first:  # PostgreSQL: + savepoint, SET LOCAL work_mem, release
        client.get(URL)
    for _ in range(20):
        make(opened=NOW - timedelta(days=2), priority=Priority.HIGH, assignment_group=TeamFactory())
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(URL)


def test_only_managers_admins_and_team_leads(data, client_for, agent, requester, admin_user):
    assert client_for(agent).get(URL).status_code == 403
    assert client_for(requester).get(URL).status_code == 403
    assert client_for(requester).get(reverse("dashboards:export_records")).status_code == 403
    assert client_for(admin_user).get(URL).status_code == 200


def test_team_lead_sees_only_their_teams(data, client_for, agent):
    data["team"].lead = agent
    data["team"].save()
    response = client_for(agent).get(URL)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview["totals"]["open_now"] == 2
    assert [row["label"] for row in overview["by_group"]] == [data["team"].name]
    # a lead cannot pick another team
    assert (
        client_for(agent).get(URL, {"team": data["other"].pk}).context["overview"]["totals"]["open_now"] == 2
    )
    rows = b"".join(client_for(agent).get(reverse("dashboards:export_records")).streaming_content).decode()
    assert data["c"].number in rows and data["e"].number not in rows


def test_csv_tables_stream_and_neutralise_formulas(data, client_for, manager):
    data["team"].name = "=HYPERLINK(1)"
    data["team"].save()
    response = client_for(manager).get(reverse("dashboards:export_table", args=["group"]))
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == ["Team,Open incidents", "'=HYPERLINK(1),2"]
    assert client_for(manager).get(reverse("dashboards:export_table", args=["nope"])).status_code == 404


def test_bad_filters_are_form_errors(client_for, manager):
    response = client_for(manager).get(URL, {"period": "custom", "start": "2026-03-05", "end": "2026-03-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert client_for(manager).get(reverse("dashboards:export_records"), {"priority": "x"}).status_code == 400
