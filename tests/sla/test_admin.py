"""The admin: calendars with windows and holidays (checked as a whole), the holiday import, definitions
with escalation steps, read-only clocks with their history."""

import pytest
from django.test import Client

from itsm.sla.choices import Target
from itsm.sla.models import Calendar, ClockRecompute, EscalationStep, SLADefinition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def calendar_form(windows: list[dict], **fields) -> dict:
    return {
        "name": "Office",
        "time_zone": "Europe/Berlin",
        "description": "",
        **inline("windows", windows),
        **inline("holidays", [{"date": "2026-12-25", "name": "Christmas"}]),
        **fields,
    }


class TestCalendars:
    def test_add_a_calendar_with_split_days_and_a_holiday(self, admin_client):
        windows = [
            {"weekday": "0", "start": "08:00", "end": "12:00"},
            {"weekday": "0", "start": "13:00", "end": "17:00"},
        ]
        response = admin_client.post("/admin/sla/calendar/add/", calendar_form(windows))
        assert response.status_code == 302, response.content.decode()[:3000]
        calendar = Calendar.objects.get()
        assert calendar.windows.count() == 2 and calendar.holidays.get().name == "Christmas"

    def test_a_calendar_without_windows_is_refused_with_a_message(self, admin_client):
        response = admin_client.post("/admin/sla/calendar/add/", calendar_form([]))
        assert response.status_code == 200
        assert not Calendar.objects.exists()
        assert "at least 1" in response.content.decode() or "no working time" in response.content.decode()

    def test_overlapping_windows_are_refused_with_the_engines_message(self, admin_client):
        windows = [
            {"weekday": "0", "start": "08:00", "end": "12:00"},
            {"weekday": "0", "start": "11:00", "end": "13:00"},
        ]
        response = admin_client.post("/admin/sla/calendar/add/", calendar_form(windows))
        assert response.status_code == 200 and "overlap" in response.content.decode()
        assert not Calendar.objects.exists()

    def test_editing_a_calendar_with_running_clocks_recomputes_them_in_the_background(
        self, admin_client, always_open, define, new_task, frozen, django_capture_on_commit_callbacks
    ):
        define(Target.RESOLUTION)
        new_task()
        windows = [
            {
                "id": str(w.pk),
                "calendar": str(always_open.pk),
                "weekday": str(w.weekday),
                "start": "00:00",
                "end": "00:00",
            }
            for w in always_open.windows.all()
        ]
        data = {
            "name": "24x7",
            "time_zone": "UTC",
            "description": "changed",
            **inline("windows", windows, initial=7),
            **inline("holidays", [{"date": "2026-12-25", "name": "Christmas"}]),
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/admin/sla/calendar/{always_open.pk}/change/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert ClockRecompute.objects.get(calendar=always_open).done == 1
        page = admin_client.get(f"/admin/sla/calendar/{always_open.pk}/change/").content.decode()
        assert "Done — 1 of 1 clocks (100%)" in page

    def test_import_public_holidays_through_the_action(self, admin_client, office_hours):
        # given: the action asks for the country first
        selection = {"action": "import_holidays", "_selected_action": [str(office_hours.pk)]}
        page = admin_client.post("/admin/sla/calendar/", selection)
        assert page.status_code == 200 and "Import public holidays" in page.content.decode()
        # when
        response = admin_client.post(
            "/admin/sla/calendar/",
            {**selection, "apply": "1", "country": "DE", "subdivision": "BY", "years": "2026"},
        )
        # then
        assert response.status_code == 302
        assert office_hours.holidays.filter(name="Epiphany").exists()

    def test_a_bad_subdivision_shows_the_form_again_with_the_error(self, admin_client, office_hours):
        selection = {"action": "import_holidays", "_selected_action": [str(office_hours.pk)]}
        response = admin_client.post(
            "/admin/sla/calendar/",
            {**selection, "apply": "1", "country": "DE", "subdivision": "ZZ", "years": "2026"},
        )
        assert response.status_code == 200 and "subdivision" in response.content.decode()
        assert not office_hours.holidays.exists()


class TestDefinitions:
    def test_add_a_definition_with_a_warning_step(self, admin_client, always_open):
        data = {
            "name": "P1 resolution",
            "target": "resolution",
            "duration": "04:00:00",
            "calendar": str(always_open.pk),
            "active": "on",
            "precedence": "10",
            "priorities": ["1"],
            "pause_on": ["pending"],
            "warning_thresholds": "90, 50",
            **inline(
                "escalation_steps",
                [
                    {
                        "trigger": "warning",
                        "percent": "90",
                        "action": "add_work_note",
                        "note": "Hurry",
                        "order": "0",
                    }
                ],
            ),
        }
        response = admin_client.post("/admin/sla/sladefinition/add/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        definition = SLADefinition.objects.get()
        assert (definition.priorities, definition.warning_thresholds, definition.pause_on) == (
            [1],
            [50, 90],
            ["pending"],
        )
        assert EscalationStep.objects.get().percent == 90

    def test_a_step_at_a_percent_that_is_not_a_threshold_is_refused(self, admin_client, always_open):
        data = {
            "name": "P1 resolution",
            "target": "resolution",
            "duration": "04:00:00",
            "calendar": str(always_open.pk),
            "precedence": "10",
            "warning_thresholds": "50",
            **inline(
                "escalation_steps",
                [
                    {
                        "trigger": "warning",
                        "percent": "60",
                        "action": "add_work_note",
                        "note": "x",
                        "order": "0",
                    }
                ],
            ),
        }
        response = admin_client.post("/admin/sla/sladefinition/add/", data)
        assert response.status_code == 200 and "warning thresholds" in response.content.decode()
        assert not SLADefinition.objects.exists()


class TestClocks:
    def test_clocks_are_shown_read_only_with_their_history(self, admin_client, define, new_task, frozen):
        define(Target.RESOLUTION)
        clock = new_task().sla_clocks.get()
        assert admin_client.get("/admin/sla/slaclock/").status_code == 200
        page = admin_client.get(f"/admin/sla/slaclock/{clock.pk}/change/")
        assert page.status_code == 200 and "Attached" in page.content.decode()
        assert admin_client.get("/admin/sla/slaclock/add/").status_code == 403

    @pytest.mark.parametrize("page", ["sladefinition", "calendar", "clockrecompute"])
    def test_lists_and_add_pages_load(self, admin_client, page, define):
        define(Target.RESPONSE)
        assert admin_client.get(f"/admin/sla/{page}/").status_code == 200
