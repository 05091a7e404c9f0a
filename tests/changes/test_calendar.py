"""The change calendar: month and week pages, filters, query budgets, JSON, the iCalendar
feed (RFC 5545 shape, visibility, tokens that cannot be forged or outlive a password)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import ical
from changes.calendar import FEED_SALT, feed_token, month_period, user_for_feed_token, week_period
from itsm.maintenance.choices import Frequency, WindowKind
from itsm.maintenance.services import create_window
from tests.changes.schedule_helpers import chain, planned_change
from tests.factories import ServiceFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

JUNE = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
MONTH_URL = "/changes/calendar/?view=month&year=2025&month=6"
JUNE_PARAMS = {"view": "month", "year": "2025", "month": "6"}


# --- iCalendar, pure -------------------------------------------------------------------------


def test_escape_and_fold():
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 80
    folded = ical.fold(line)
    pieces = folded.split("\r\n")
    assert all(len(piece.encode()) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert ical.unfold(folded + "\r\n") == [line]


def test_calendar_text_is_rfc5545_shaped():
    stamp = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    event = ical.Event(
        uid="change-1@example.org",
        start=JUNE,
        end=JUNE + timedelta(hours=2),
        summary="CHG0001001 Patch, reboot; done",
        description="Line one\nLine two",
        url="https://itsm.example.org/changes/1/",
    )
    text = ical.calendar([event], name="Changes", product="-//Test//EN", stamp=stamp)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = ical.unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "PRODID:-//Test//EN" in lines
    assert "DTSTAMP:20250601T120000Z" in lines
    assert "DTSTART:20250610T080000Z" in lines and "DTEND:20250610T100000Z" in lines
    assert "SUMMARY:CHG0001001 Patch\\, reboot\\; done" in lines
    assert "DESCRIPTION:Line one\\nLine two" in lines


# --- periods -------------------------------------------------------------------------------------


def test_month_period_is_whole_weeks():
    period = month_period(2025, 6, UTC)
    assert period.first == date(2025, 5, 26) and period.last == date(2025, 7, 6)
    assert period.previous == date(2025, 5, 1) and period.following == date(2025, 7, 1)


def test_week_period_starts_on_monday():
    period = week_period(date(2025, 6, 12), UTC)
    assert (period.first, period.last) == (date(2025, 6, 9), date(2025, 6, 15))


# --- pages -------------------------------------------------------------------------------------


def test_month_page_lists_changes_and_windows(client, agent):
    planned_change("Patch <the> database", start=JUNE)
    create_window(
        actor=None,
        name="Quarter-end freeze",
        kind=WindowKind.BLACKOUT,
        applies_to_all=True,
        time_zone="UTC",
        starts_on=date(2025, 6, 30),
        start_time=time(0),
        duration_minutes=24 * 60,
        frequency=Frequency.ONCE,
    )
    client.force_login(agent)
    page = client.get(MONTH_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "June 2025" in html
    assert "Patch &lt;the&gt; database" in html  # escaped
    assert "Quarter-end freeze" in html
    assert "changes.ics" in html


def test_week_page_shows_times_and_badges(client, agent):
    planned_change("Rotate certificates", start=JUNE, change_type="emergency", risk="high")
    client.force_login(agent)
    html = client.get("/changes/calendar/?view=week&date=2025-06-11").content.decode()
    assert "Rotate certificates" in html and "08:00–10:00" in html
    assert "Emergency" in html and "Risk high" in html


def test_busy_day_shows_a_few_and_counts_the_rest(client, agent):
    for index in range(7):
        planned_change(f"Change {index}", start=JUNE + timedelta(minutes=index))
    client.force_login(agent)
    assert "+ 3 more" in client.get(MONTH_URL).content.decode()


def test_a_change_spanning_midnight_shows_on_both_days(client, agent):
    planned_change("Overnight", start=datetime(2025, 6, 10, 22, 0, tzinfo=UTC), hours=4)
    client.force_login(agent)
    html = client.get("/changes/calendar/?view=week&date=2025-06-10").content.decode()
    assert html.count('<span class="cal-title">Overnight</span>') == 2


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("service", lambda: {"services": [ServiceFactory(name="Payroll")]}),
        ("group", lambda: {"assignment_group": TeamFactory(name="Database team")}),
        ("type", lambda: {"change_type": "emergency"}),
        ("risk", lambda: {"risk": "very_high"}),
        ("ci", lambda: {"cis": chain("payroll-db")}),
    ],
)
def test_filters(client, agent, field, make):
    fields = make()
    wanted = planned_change("Wanted", start=JUNE, **fields)
    planned_change("Other", start=JUNE)
    value = {
        "service": lambda: wanted.affected_services.get().pk,
        "group": lambda: wanted.assignment_group_id,
        "type": lambda: "emergency",
        "risk": lambda: "very_high",
        "ci": lambda: "PAYROLL-DB",
    }[field]()
    client.force_login(agent)
    html = client.get("/changes/calendar/", {**JUNE_PARAMS, field: value}).content.decode()
    assert "Wanted" in html and "Other" not in html


def test_bad_filter_values_are_a_message_not_a_500(client, agent):
    client.force_login(agent)
    page = client.get("/changes/calendar/", {**JUNE_PARAMS, "service": "nope", "risk": "enormous"})
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    assert client.get("/changes/calendar/?year=abc&month=13").status_code == 200
    assert client.get("/changes/calendar/?view=week&date=not-a-date").status_code == 200


def test_cancelled_changes_are_left_out(client, agent):
    planned_change("Called off", start=JUNE, state="cancelled")
    client.force_login(agent)
    assert "Called off" not in client.get(MONTH_URL).content.decode()


@pytest.mark.parametrize("view", ["month", "week"])
def test_query_budget_does_not_grow_with_changes(client, agent, view):
    url = MONTH_URL if view == "month" else "/changes/calendar/?view=week&date=2025-06-10"
    client.force_login(agent)
    planned_change(start=JUNE, assignee=agent)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(20):
        planned_change(f"More {index}", start=JUNE + timedelta(hours=index), assignee=UserFactory())
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 10


def test_requesters_and_anonymous_cannot_open_the_calendar(client, requester):
    assert client.get("/changes/calendar/").status_code == 302
    client.force_login(requester)
    assert client.get("/changes/calendar/").status_code == 403
    assert client.get("/changes/calendar.json?start=2025-06-01&end=2025-06-30").status_code == 403


# --- JSON ---------------------------------------------------------------------------------------


def test_json_lists_changes_and_windows(client, agent):
    change = planned_change("Patch", start=JUNE)
    client.force_login(agent)
    data = client.get("/changes/calendar.json", {"start": "2025-06-01", "end": "2025-07-01"}).json()
    assert [c["number"] for c in data["changes"]] == [change.number]
    assert data["changes"][0]["planned_start"] == "2025-06-10T08:00:00+00:00"
    assert data["windows"] == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "2025-06-01"},
        {"start": "x", "end": "y"},
        {"start": "2025-06-02", "end": "2025-06-01"},
        {"start": "2025-01-01", "end": "2025-12-31"},
        {"start": "2025-06-01", "end": "2025-06-30", "risk": "huge"},
    ],
)
def test_json_bad_input_is_a_400(client, agent, params):
    client.force_login(agent)
    response = client.get("/changes/calendar.json", params)
    assert response.status_code == 400
    assert "detail" in response.json()


# --- the iCalendar feed --------------------------------------------------------------------


def feed_url(user, query: str = "") -> str:
    return reverse("change:calendar-feed", args=[feed_token(user)]) + query


def test_feed_is_valid_icalendar_with_the_changes(client, agent):
    change = planned_change("Patch, then reboot", start=datetime.now(UTC) + timedelta(days=3))
    response = client.get(feed_url(agent))  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = ical.unfold(text)
    assert f"UID:change-{change.pk}@" in "\n".join(lines)
    assert f"SUMMARY:{change.number} Patch\\, then reboot" in lines
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert any(line.startswith("DTSTART:") and line.endswith("Z") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1


def test_feed_filters_narrow_it(client, agent):
    planned_change("Emergency one", start=datetime.now(UTC) + timedelta(days=1), change_type="emergency")
    planned_change("Normal one", start=datetime.now(UTC) + timedelta(days=1))
    text = client.get(feed_url(agent, "?type=emergency")).content.decode()
    assert "Emergency one" in text and "Normal one" not in text


def test_a_requesters_feed_is_empty(client, requester):
    planned_change("Secret", start=datetime.now(UTC) + timedelta(days=1), requester=requester)
    text = client.get(feed_url(requester)).content.decode()
    assert "BEGIN:VEVENT" not in text


def test_tokens_cannot_be_forged_or_moved(agent, change_manager):
    genuine = feed_token(agent)
    assert user_for_feed_token(genuine) == agent
    # tampered, signed with another salt, naming another user, or garbage
    assert user_for_feed_token(genuine[:-2] + "xx") is None
    assert user_for_feed_token(signing.dumps({"u": agent.pk, "k": "x"}, salt="other", compress=True)) is None
    forged = signing.dumps({"u": change_manager.pk, "k": genuine}, salt=FEED_SALT, compress=True)
    assert user_for_feed_token(forged) is None
    assert user_for_feed_token("not-a-token") is None


def test_a_password_change_or_deactivation_revokes_the_feed(client, agent):
    token = feed_token(agent)
    agent.set_password("a-new-password-123")
    agent.save()
    assert user_for_feed_token(token) is None
    assert client.get(reverse("change:calendar-feed", args=[token])).status_code == 404
    token = feed_token(agent)
    agent.is_active = False
    agent.save()
    assert user_for_feed_token(token) is None


def test_feed_max_age(settings, agent):
    token = feed_token(agent)
    settings.CHANGE_CALENDAR_FEED_MAX_AGE = 1
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=signing.time.time() + 5):
        assert user_for_feed_token(token) is None
