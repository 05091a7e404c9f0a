"""Browser: a manager opens the service desk overview, changes a filter and drills into a figure."""

import pytest
from django.urls import reverse

from itsm.core.choices import Priority, StateCategory
from tests.e2e.conftest import SCREENSHOTS
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


def test_manager_reads_the_full_overview_on_desktop_phone_and_paper(
    live_server, browser_context, screenshot_dir, personas, team
):
    """Rollup figures and freshness, rates, SLA tables; a period filter; a drill-down; phone and print."""
    from datetime import timedelta

    from django.utils import timezone

    from itsm.core.models import Task
    from itsm.dashboards import rollups

    now = timezone.now()
    for hours, title in ((30, "Mail bounced"), (50, "VPN drops"), (75, "Disk full")):
        task = TaskFactory(
            priority=Priority.HIGH,
            assignment_group=team,
            title=title,
            state="resolved",
            state_category=StateCategory.RESOLVED,
        )
        opened = now - timedelta(hours=hours)
        Task.objects.filter(pk=task.pk).update(
            opened_at=opened,
            responded_at=opened + timedelta(minutes=20),
            resolved_at=opened + timedelta(hours=5),
        )
    old = TaskFactory(priority=Priority.LOW, title="Old printer", state="resolved", state_category="resolved")
    Task.objects.filter(pk=old.pk).update(
        opened_at=now - timedelta(days=20), resolved_at=now - timedelta(days=19)
    )
    rollups.rebuild()
    shots = SCREENSHOTS
    shots.mkdir(parents=True, exist_ok=True)
    context, watch = browser_context()
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Username").fill(personas["manager"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}{reverse('dashboards:home')}")
    overview = page.locator("section.overview")
    assert "refreshed every 5 min" in overview.locator("#freshness").inner_text()
    assert overview.get_by_role("heading", name="Quality of resolution").is_visible()
    assert overview.get_by_role("heading", name="SLA compliance by definition").is_visible()
    assert overview.get_by_role(
        "heading", name="Time to respond and to resolve, incidents resolved in the period"
    ).is_visible()
    page.screenshot(path=str(shots / "overview-desktop.png"), full_page=True)

    # when: the manager narrows to the last 7 days and drills into "Resolved"
    page.locator("#id_period").select_option("7")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    resolved = overview.locator(".kpi", has_text="Resolved in the period")
    assert resolved.locator(".kpi-value").inner_text() == "3"
    resolved.click()
    page.wait_for_load_state("networkidle")
    body = page.content()
    assert (
        all(title in body for title in ("Mail bounced", "VPN drops", "Disk full"))
        and "Old printer" not in body
    )
    page.screenshot(path=str(shots / "overview-drilldown.png"), full_page=True)

    # and the overview reads on a phone and on paper (charts keep their proportions)
    phone, phone_watch = browser_context(viewport={"width": 390, "height": 844})
    phone_page = phone.new_page()
    phone_page.goto(f"{base}{reverse('login')}")
    phone_page.get_by_label("Username").fill(personas["manager"].username)
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Sign in").click()
    phone_page.wait_for_load_state("networkidle")
    phone_page.goto(f"{base}{reverse('dashboards:home')}?period=7")
    chart = phone_page.locator("svg.chart").bounding_box()
    assert chart["width"] <= 390 and abs(chart["width"] / chart["height"] - 640 / 200) < 0.05
    phone_page.screenshot(path=str(shots / "overview-phone.png"), full_page=True)
    phone_page.locator("figure.chart-figure").screenshot(path=str(shots / "overview-phone-chart.png"))
    page.goto(f"{base}{reverse('dashboards:home')}?period=7")
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    page.screenshot(path=str(shots / "overview-print.png"), full_page=True)
    watch.assert_clean()
    phone_watch.assert_clean()
