"""The SLA API: permissions per role, field errors, and clocks visible exactly when their task is."""

import pytest
from django.urls import Resolver404, resolve

from itsm.core.choices import StateCategory
from itsm.sla.choices import Target
from itsm.sla.models import Calendar, SLADefinition
from tests.factories import TaskFactory
from tests.sla.conftest import H

pytestmark = pytest.mark.django_db

WEEKDAYS_9_TO_5 = [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(5)]


@pytest.fixture(autouse=True)
def _sla_routes(settings):
    """Use the platform router once it registers the SLA routes; until then, a test URLconf adds them."""
    try:
        resolve("/api/v1/sla-clocks/")
    except Resolver404:
        settings.ROOT_URLCONF = "tests.sla.urls"


@pytest.fixture
def definition(define):
    return define(Target.RESOLUTION, 4 * H, name="Standard")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


# (method, path, persona, expected status) — `{calendar}` and `{definition}` are filled in.
MATRIX = [
    ("get", "/api/v1/sla-calendars/", None, 401),
    ("get", "/api/v1/sla-calendars/", "requester", 403),
    ("get", "/api/v1/sla-calendars/", "agent", 200),
    ("get", "/api/v1/sla-calendars/", "manager", 200),
    ("get", "/api/v1/sla-calendars/", "admin", 200),
    ("get", "/api/v1/sla-calendars/{calendar}/", "agent", 200),
    ("post", "/api/v1/sla-calendars/", "agent", 403),
    ("post", "/api/v1/sla-calendars/", "manager", 403),
    ("post", "/api/v1/sla-calendars/", "admin", 201),
    ("patch", "/api/v1/sla-calendars/{calendar}/", "agent", 403),
    ("patch", "/api/v1/sla-calendars/{calendar}/", "admin", 200),
    ("post", "/api/v1/sla-calendars/{calendar}/import-holidays/", "manager", 403),
    ("post", "/api/v1/sla-calendars/{calendar}/import-holidays/", "admin", 200),
    ("delete", "/api/v1/sla-calendars/{calendar}/", "agent", 403),
    ("delete", "/api/v1/sla-calendars/{calendar}/", "admin", 409),
    ("get", "/api/v1/sla-definitions/", "requester", 403),
    ("get", "/api/v1/sla-definitions/", "agent", 200),
    ("get", "/api/v1/sla-definitions/{definition}/", "manager", 200),
    ("post", "/api/v1/sla-definitions/", "agent", 403),
    ("post", "/api/v1/sla-definitions/", "admin", 201),
    ("patch", "/api/v1/sla-definitions/{definition}/", "manager", 403),
    ("patch", "/api/v1/sla-definitions/{definition}/", "admin", 200),
    ("delete", "/api/v1/sla-definitions/{definition}/", "admin", 204),
    ("get", "/api/v1/sla-clocks/", None, 401),
    ("get", "/api/v1/sla-clocks/", "requester", 200),
    ("post", "/api/v1/sla-clocks/", "admin", 405),
]

#: Request bodies by method and the most specific path part (looked up in this order).
BODIES = {
    ("post", "import-holidays"): {"country": "DE", "subdivision": "BY", "years": [2026]},
    ("post", "sla-calendars"): {"name": "Office", "time_zone": "Europe/Berlin", "windows": WEEKDAYS_9_TO_5},
    ("patch", "sla-calendars"): {"description": "Head office"},
    ("post", "sla-definitions"): {
        "name": "P1 response",
        "target": "response",
        "duration": "00:30:00",
        "calendar": None,
        "priorities": [1],
    },
    ("patch", "sla-definitions"): {"precedence": 5},
}


@pytest.mark.parametrize(("method", "path", "persona", "status"), MATRIX)
def test_permission_matrix(api_client, personas, definition, method, path, persona, status):
    # given
    calendar = definition.calendar
    url = path.format(calendar=calendar.pk, definition=definition.pk)
    body = next((b for (m, part), b in BODIES.items() if m == method and f"/{part}/" in url + "/"), None)
    if body and "calendar" in body:
        body = {**body, "calendar": calendar.pk}
    if persona is not None:
        api_client.force_authenticate(personas[persona])
    # when
    response = getattr(api_client, method)(url, body, format="json")
    # then
    assert response.status_code == status, response.content


class TestCalendarValidation:
    def create(self, api_as, admin_user, **fields):
        body = {"name": "Office", "time_zone": "Europe/Berlin", "windows": WEEKDAYS_9_TO_5, **fields}
        return api_as(admin_user).post("/api/v1/sla-calendars/", body, format="json")

    def test_a_calendar_without_working_time_is_refused(self, api_as, admin_user):
        error = assert_error(self.create(api_as, admin_user, windows=[]), 400, "invalid")
        assert "no working time" in error["fields"]["windows"][0]
        assert not Calendar.objects.exists()

    def test_an_unknown_time_zone_is_a_field_error(self, api_as, admin_user):
        error = assert_error(self.create(api_as, admin_user, time_zone="Mars/Olympus"), 400, "invalid")
        assert "time zone" in error["fields"]["time_zone"][0]

    def test_overlapping_windows_are_refused(self, api_as, admin_user):
        windows = [
            {"weekday": 0, "start": "08:00", "end": "12:00"},
            {"weekday": 0, "start": "11:00", "end": "13:00"},
        ]
        error = assert_error(self.create(api_as, admin_user, windows=windows), 400, "invalid")
        assert "overlap" in error["fields"]["windows"][0]

    def test_a_window_ending_before_it_starts_names_the_row(self, api_as, admin_user):
        windows = [{"weekday": 0, "start": "12:00", "end": "08:00"}]
        error = assert_error(self.create(api_as, admin_user, windows=windows), 400, "invalid")
        assert "windows.0.end" in error["fields"]

    def test_malformed_values_are_field_errors(self, api_as, admin_user):
        windows = [{"weekday": 9, "start": "nine", "end": "17:00"}]
        error = assert_error(self.create(api_as, admin_user, windows=windows), 400, "invalid")
        assert {"windows.0.weekday", "windows.0.start"} <= set(error["fields"])

    def test_a_24x7_calendar_with_holidays_round_trips(self, api_as, admin_user):
        windows = [{"weekday": day, "start": "00:00", "end": "00:00"} for day in range(7)]
        holidays = [{"date": "2026-12-25", "name": "Christmas Day"}]
        response = self.create(
            api_as, admin_user, name="24x7", time_zone="UTC", windows=windows, holidays=holidays
        )
        assert response.status_code == 201, response.content
        body = api_as(admin_user).get(f"/api/v1/sla-calendars/{response.json()['id']}/").json()
        assert body["holidays"] == holidays and len(body["windows"]) == 7

    def test_importing_an_unknown_country_is_a_field_error(self, api_as, admin_user, always_open):
        url = f"/api/v1/sla-calendars/{always_open.pk}/import-holidays/"
        error = assert_error(api_as(admin_user).post(url, {"country": "XX", "years": [2026]}), 400, "invalid")
        assert "country" in error["fields"]

    def test_importing_holidays_reports_how_many_were_added(self, api_as, admin_user, always_open):
        url = f"/api/v1/sla-calendars/{always_open.pk}/import-holidays/"
        first = api_as(admin_user).post(url, {"country": "DE", "years": [2026]}, format="json").json()
        again = api_as(admin_user).post(url, {"country": "DE", "years": [2026]}, format="json").json()
        assert first["added"] > 5 and again["added"] == 0

    def test_a_calendar_in_use_cannot_be_deleted(self, api_as, admin_user, definition):
        response = api_as(admin_user).delete(f"/api/v1/sla-calendars/{definition.calendar_id}/")
        assert "move them" in assert_error(response, 409, "in_use")["message"]


class TestDefinitionValidation:
    def create(self, api_as, admin_user, on_calendar, **fields):
        body = {
            "name": "P1",
            "target": "resolution",
            "duration": "04:00:00",
            "calendar": on_calendar.pk,
            **fields,
        }
        return api_as(admin_user).post("/api/v1/sla-definitions/", body, format="json")

    @pytest.mark.parametrize(
        ("fields", "bad"),
        [
            ({"duration": "00:00:00"}, "duration"),
            ({"duration": "soon"}, "duration"),
            ({"warning_thresholds": [50, 100]}, "warning_thresholds.1"),
            ({"warning_thresholds": [50, 50]}, "warning_thresholds"),
            ({"pause_on": ["resolved"]}, "pause_on.0"),
            ({"kinds": ["spaceship"]}, "kinds.0"),
            ({"priorities": [9]}, "priorities.0"),
            ({"target": "whenever"}, "target"),
            ({"calendar": 999999}, "calendar"),
        ],
    )
    def test_bad_input_is_a_field_error(self, api_as, admin_user, always_open, fields, bad):
        error = assert_error(self.create(api_as, admin_user, always_open, **fields), 400, "invalid")
        assert bad in error["fields"], error

    def test_steps_are_checked_per_action(self, api_as, admin_user, always_open):
        steps = [
            {"trigger": "breach", "action": "notify_user"},
            {"trigger": "warning", "percent": 60, "action": "add_work_note", "note": "Hurry"},
        ]
        error = assert_error(
            self.create(api_as, admin_user, always_open, escalation_steps=steps), 400, "invalid"
        )
        assert {"escalation_steps.0.user", "escalation_steps.1.percent"} <= set(error["fields"])
        assert not SLADefinition.objects.exists()

    def test_a_definition_with_steps_round_trips(self, api_as, admin_user, always_open):
        steps = [{"trigger": "warning", "percent": 75, "action": "add_work_note", "note": "Hurry"}]
        response = self.create(
            api_as,
            admin_user,
            always_open,
            warning_thresholds=[90, 75],
            escalation_steps=steps,
            pause_on=["pending"],
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["warning_thresholds"] == [75, 90] and body["escalation_steps"][0]["note"] == "Hurry"

    def test_a_definition_with_clocks_cannot_be_deleted(
        self, api_as, admin_user, definition, new_task, frozen
    ):
        new_task()
        response = api_as(admin_user).delete(f"/api/v1/sla-definitions/{definition.pk}/")
        assert "deactivate" in assert_error(response, 409, "in_use")["message"]


class TestClocks:
    def test_a_requester_sees_the_clocks_of_their_own_task_only(
        self, api_as, requester, other_requester, definition, new_task, frozen
    ):
        # given
        mine, theirs = new_task(requester=requester), new_task(requester=other_requester)
        client = api_as(requester)
        # when
        own = client.get(f"/api/v1/sla-clocks/?task={mine.pk}").json()["results"]
        other = client.get(f"/api/v1/sla-clocks/?task={theirs.pk}").json()["results"]
        everything = client.get("/api/v1/sla-clocks/").json()["results"]
        # then
        assert [row["task"] for row in own] == [mine.pk]
        assert other == [] and [row["task"] for row in everything] == [mine.pk]
        their_clock = theirs.sla_clocks.get()
        assert_error(client.get(f"/api/v1/sla-clocks/{their_clock.pk}/"), 404, "not_found")

    def test_a_watcher_sees_the_clocks(self, api_as, other_requester, definition, new_task, frozen):
        task = new_task()
        task.watchers.add(other_requester)
        assert len(api_as(other_requester).get(f"/api/v1/sla-clocks/?task={task.pk}").json()["results"]) == 1

    def test_a_clock_shows_time_used_and_left_live(self, api_as, agent, definition, new_task, frozen):
        # given
        task = new_task(state_category=StateCategory.OPEN)
        frozen.move_to(frozen_time := task.opened_at + 1 * H)
        # when
        (clock,) = api_as(agent).get(f"/api/v1/sla-clocks/?task={task.pk}").json()["results"]
        # then
        assert (clock["elapsed_seconds"], clock["remaining_seconds"], clock["target_seconds"]) == (
            3600,
            10800,
            14400,
        )
        assert clock["definition_name"] == "Standard" and clock["events"][0]["kind"] == "attached"
        assert frozen_time

    def test_listing_clocks_costs_a_fixed_number_of_queries(
        self, api_as, agent, definition, new_task, frozen, django_assert_max_num_queries
    ):
        tasks = [new_task() for _ in range(5)]
        client = api_as(agent)
        client.get("/api/v1/sla-clocks/")  # warm the role cache of the user
        with django_assert_max_num_queries(8):
            response = client.get("/api/v1/sla-clocks/")
        assert len(response.json()["results"]) == len(tasks)

    def test_filters_are_strict(self, api_as, agent):
        assert_error(api_as(agent).get("/api/v1/sla-clocks/?tsk=1"), 400, "bad_query")
        error = assert_error(api_as(agent).get("/api/v1/sla-clocks/?task=abc"), 400, "invalid")
        assert "task" in error["fields"]

    def test_breached_filter(self, api_as, agent, definition, new_task, frozen):
        task = new_task()
        task.sla_clocks.update(breached_at=task.opened_at)
        new_task()
        rows = api_as(agent).get("/api/v1/sla-clocks/?breached=true").json()["results"]
        assert [row["task"] for row in rows] == [task.pk]

    def test_clocks_of_bare_tasks_need_no_practice_app(self, api_as, agent):
        TaskFactory()
        assert api_as(agent).get("/api/v1/sla-clocks/").json()["results"] == []
