"""Browser: a manager opens the Requests board read from its daily rollup, sees how fresh the
figures are, narrows it to a team and drills into a figure; screenshots on a desktop and a phone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog import rollups
from itsm.core.models import Task
from tests.dashboards.test_practice_requests_knowledge import catalog_item, request_item
from tests.e2e.test_dashboards_practices import kpi_value, sign_in

pytestmark = pytest.mark.browser


def _shot(page, screenshot_dir, name: str) -> None:
    path = screenshot_dir / name
    page.screenshot(path=str(path), full_page=True)


def test_manager_reads_the_requests_board_from_its_rollup(
    live_server, browser_context, screenshot_dir, personas, team
):
    # given: three laptops (two for the team, one delivered late) and a phone, then the rollup built
    now = timezone.now()

    def ago(days, hours=0):
        return now - timedelta(days=days, hours=hours)

    laptop, phone = catalog_item("Laptop", 3), catalog_item("Phone", 1)
    requester = personas["requester"]
    on_time = request_item(laptop, requester, opened=ago(4), fulfilled=ago(2))
    late = request_item(laptop, requester, opened=ago(9), fulfilled=ago(1))
    request_item(laptop, requester, opened=ago(2))
    request_item(phone, requester, opened=ago(3), fulfilled=ago(3, hours=-5))
    Task.objects.filter(pk__in=[on_time.pk, late.pk]).update(assignment_group=team)
    rollups.rebuild()
    context, watch = browser_context()
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, personas["manager"])

    # when: the manager opens the Requests board from the dashboard tabs
    page.goto(f"{base}{reverse('dashboards:home')}")
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Requests").click()
    page.wait_for_load_state("networkidle")

    # then: the figures come from the rollup, and the page says how fresh they are
    assert "Figures up to" in page.locator("#freshness").inner_text()
    assert "live figures as of" not in page.locator("main").inner_text()
    assert kpi_value(page, "Items fulfilled") == "3"
    assert kpi_value(page, "Delivered late") == "1"
    _shot(page, screenshot_dir, "requests-board-rollup.png")

    # when: narrowed to the team and drilled into the late deliveries
    page.locator("#id_team").select_option(str(team.pk))
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert kpi_value(page, "Items fulfilled") == "2"
    page.locator("a.kpi", has_text="Delivered late").click()
    page.wait_for_load_state("networkidle")

    # then: exactly the one late laptop of the team, with its catalog item
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 1
    assert late.number in rows.first.inner_text() and "Laptop" in rows.first.inner_text()
    _shot(page, screenshot_dir, "requests-board-drilldown.png")
    watch.assert_clean()

    # and on a phone the board and its freshness line fit the screen
    small, phone_watch = browser_context(viewport={"width": 390, "height": 844})
    mobile = small.new_page()
    sign_in(mobile, base, personas["manager"])
    mobile.goto(f"{base}{reverse('dashboards:practice', args=['requests'])}")
    mobile.wait_for_load_state("networkidle")
    assert mobile.locator("#freshness").is_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(mobile, screenshot_dir, "requests-board-phone.png")
    phone_watch.assert_clean()
