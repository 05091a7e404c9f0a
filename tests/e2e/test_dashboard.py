"""Browser: a manager opens the service desk overview, changes a filter and drills into a figure."""

import pytest
from django.urls import reverse

from itsm.core.choices import Priority, StateCategory
from tests.factories import PASSWORD, TaskFactory

pytestmark = pytest.mark.browser


def test_manager_filters_and_drills_down(live_server, browser_context, screenshot_dir, personas, team):
    # given: two open P1 incidents for the team, one P3 elsewhere, one resolved
    for _ in range(2):
        TaskFactory(priority=Priority.CRITICAL, assignment_group=team, title="Core switch down")
    TaskFactory(priority=Priority.MODERATE, title="Printer jams")
    TaskFactory(priority=Priority.HIGH, state="resolved", state_category=StateCategory.RESOLVED)
    context, watch = browser_context()
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Username").fill(personas["manager"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")

    # when: the manager narrows the overview to the team
    page.goto(f"{base}{reverse('dashboards:home')}")
    page.locator("#id_team").select_option(str(team.pk))
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    overview = page.locator("section.overview")
    assert overview.locator(".kpi", has_text="Open incidents").locator(".kpi-value").inner_text() == "2"
    assert page.locator("svg.chart desc").count() == 1
    page.screenshot(path=str(screenshot_dir / "dashboard-overview.png"), full_page=True)

    # and drills into the P1 bar
    overview.locator("#inc-priority-heading + ul.bars li", has_text="Critical").get_by_role("link").click()
    page.wait_for_load_state("networkidle")

    # then: the list shows exactly the two P1 incidents of the team
    body = page.content()
    assert body.count("Core switch down") == 2 and "Printer jams" not in body
    page.screenshot(path=str(screenshot_dir / "dashboard-drilldown.png"), full_page=True)
    watch.assert_clean()
