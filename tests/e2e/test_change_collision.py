"""Collision detection in headless Chromium: an agent raises a normal change on an application
whose VM another change is patching at the same time, sees the collision with its CMDB path,
moves the change to the next day, and the collision is gone. Then the calendar, month and
week, for the agent and for a change manager on a phone. Screenshots go to
var/screenshots/change-collision-*.png and change-calendar-*.png for a person to look at.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from changes.models import Change
from itsm.maintenance.choices import Frequency, WindowKind
from itsm.maintenance.services import create_window
from tests.changes.schedule_helpers import chain, planned_change
from tests.e2e.test_change_flow import pick
from tests.e2e.test_incident_flow import sign_in

pytestmark = pytest.mark.browser


def tomorrow_at(hour: int, days: int = 1) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def estate(personas):
    app, vm = chain("payroll-app", "payroll-vm")
    personas["agent"].first_name, personas["agent"].last_name = "Andy", "Agent"
    personas["agent"].save()
    other = planned_change("Patch the payroll VM", start=tomorrow_at(10), hours=2, cis=[vm])
    create_window(
        actor=None,
        name="Month-end payroll freeze",
        kind=WindowKind.BLACKOUT,
        applies_to_all=False,
        configuration_items=[app],
        time_zone="UTC",
        starts_on=tomorrow_at(0, days=3).date(),
        start_time=tomorrow_at(0).time(),
        duration_minutes=24 * 60,
        frequency=Frequency.ONCE,
    )
    return {"app": app, "vm": vm, "other": other}


def test_an_agent_sees_a_collision_with_its_path_and_reschedules(
    estate, personas, live_server, browser_context, screenshot_dir
):
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)

    # the agent raises a normal change on the application, overlapping the VM patch
    page.goto(f"{live_server.url}{reverse('change:create')}")
    page.get_by_label("Title").fill("Upgrade the payroll application")
    page.get_by_label("Planned start").fill(tomorrow_at(11).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Planned end").fill(tomorrow_at(12).strftime("%Y-%m-%dT%H:%M"))
    pick(page, "Affected CIs", "payroll-app")
    page.get_by_role("button", name="Raise change").click()
    page.wait_for_load_state("networkidle")
    change = Change.objects.get(title="Upgrade the payroll application")

    # the schedule check shows the collision and the path through the CMDB
    page.goto(f"{live_server.url}{reverse('change:collisions', args=[change.pk])}")
    panel = page.locator("#schedule-panel")
    panel.get_by_text("1 collision").wait_for()
    assert "Related configuration item" in panel.inner_text()
    path = panel.locator(".collision-path").inner_text()
    assert "payroll-app" in path and "payroll-vm" in path
    assert estate["other"].number in panel.inner_text()
    page.screenshot(path=str(screenshot_dir / "change-collision-1-found.png"), full_page=True)

    # "Check now" repeats the check in place (htmx)
    panel.get_by_role("button", name="Check now").click()
    panel.get_by_text("Checked").wait_for()

    # the agent moves the change to the day after, outside the VM patch
    page.goto(f"{live_server.url}{reverse('change:edit', args=[change.pk])}")
    page.get_by_label("Planned start").fill(tomorrow_at(11, days=2).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Planned end").fill(tomorrow_at(12, days=2).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    change.refresh_from_db()
    assert change.planned_start == tomorrow_at(11, days=2)

    page.goto(f"{live_server.url}{reverse('change:collisions', args=[change.pk])}")
    page.locator("#schedule-panel").get_by_text("No collisions").wait_for()
    page.screenshot(path=str(screenshot_dir / "change-collision-2-gone.png"), full_page=True)

    # the calendar shows both changes, month and week
    page.goto(f"{live_server.url}{reverse('change:calendar')}?view=week&date={tomorrow_at(0).date()}")
    page.get_by_text("Upgrade the payroll application").first.wait_for()
    page.get_by_text("Patch the payroll VM").first.wait_for()
    page.screenshot(path=str(screenshot_dir / "change-calendar-week-agent.png"), full_page=True)
    day = tomorrow_at(0).date()
    page.goto(f"{live_server.url}{reverse('change:calendar')}?view=month&year={day.year}&month={day.month}")
    page.screenshot(path=str(screenshot_dir / "change-calendar-month-agent.png"), full_page=True)
    watch.assert_clean()


def test_a_change_manager_reads_the_calendar_on_a_phone(
    estate, personas, live_server, browser_context, screenshot_dir
):
    context, watch = browser_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server.url, personas["change_manager"].username)
    day = tomorrow_at(0).date()
    page.goto(f"{live_server.url}{reverse('change:calendar')}?view=month&year={day.year}&month={day.month}")
    page.get_by_text("Patch the payroll VM").first.wait_for()
    page.screenshot(path=str(screenshot_dir / "change-calendar-month-phone.png"), full_page=True)
    # keyboard: the first day link is reachable with Tab from the filters
    page.get_by_label("Filter the calendar").get_by_role("button", name="Filter").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName")
    assert focused in {"A", "SUMMARY", "INPUT"}
    watch.assert_clean()
