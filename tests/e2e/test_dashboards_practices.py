"""Browser: a manager opens each practice dashboard, changes a filter, drills into a figure and
starts an improvement from a figure; screenshots on a desktop and on a phone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from improvements.models import Initiative
from itsm.core.choices import StateCategory
from tests.dashboards.practice_data import caused_by, change, incident, problem
from tests.factories import PASSWORD, TeamFactory

pytestmark = pytest.mark.browser


def sign_in(page, base: str, user) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def kpi_value(page, label: str) -> str:
    return page.locator(".kpi", has_text=label).first.locator(".kpi-value").inner_text()


def test_manager_uses_the_practice_dashboards(live_server, browser_context, screenshot_dir, personas, team):
    # given: problems for two teams, completed changes (one failed, causing an incident)
    now = timezone.now()
    network = TeamFactory(name="Network")
    for days, owner in ((2, team), (3, team), (4, network)):
        problem(opened=now - timedelta(days=days), assignment_group=owner, title=f"Slow logins {days}")
    failed = change(
        opened=now - timedelta(days=5),
        resolved_at=now - timedelta(days=4),
        close_code="failed",
        state="review",
        category=StateCategory.RESOLVED,
        title="Upgrade the mail gateway",
    )
    change(
        opened=now - timedelta(days=5),
        resolved_at=now - timedelta(days=3),
        close_code="successful",
        state="closed",
        category=StateCategory.CLOSED,
        title="Rotate certificates",
    )
    caused_by(incident(opened=now - timedelta(days=4), title="Mail stuck in queue"), failed)
    context, watch = browser_context()
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, personas["manager"])

    # when: the manager goes from the overview to the problem board through the tabs
    page.goto(f"{base}{reverse('dashboards:home')}")
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Problems").click()
    page.wait_for_load_state("networkidle")
    assert kpi_value(page, "Opened") == "3"
    page.screenshot(path=str(screenshot_dir / "practice-problems.png"), full_page=True)

    # and narrows it to one team
    page.locator("#id_team").select_option(str(team.pk))
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert kpi_value(page, "Opened") == "2"

    # and drills into the figure: exactly the two problems of the team
    page.locator("a.kpi", has_text="Opened").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 2
    assert "Slow logins 4" not in page.content()
    page.screenshot(path=str(screenshot_dir / "practice-problems-drilldown.png"), full_page=True)

    # then the other boards open from the tabs with the same filters
    for tab, shot in (("Requests", "practice-requests.png"), ("Knowledge", "practice-knowledge.png")):
        page.get_by_role("navigation", name="Dashboards").get_by_role("link", name=tab).click()
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text() == tab
        page.screenshot(path=str(screenshot_dir / shot), full_page=True)
    page.goto(f"{base}{reverse('dashboards:practice', args=['changes'])}")
    assert kpi_value(page, "Success rate") == "50.0 %"
    page.screenshot(path=str(screenshot_dir / "practice-changes.png"), full_page=True)

    # when: the manager starts an improvement from the success rate
    page.locator(".kpi-cell", has_text="Success rate").get_by_role(
        "link", name="Start an improvement"
    ).click()
    page.wait_for_load_state("networkidle")
    assert "Changes: Success rate" in page.content()
    page.get_by_label("Title").fill("Rehearse gateway upgrades")
    page.get_by_label("Expected benefit").fill("Success rate above 90 %")
    page.screenshot(path=str(screenshot_dir / "improvement-new.png"), full_page=True)
    page.get_by_role("button", name="Add to the register").click()
    page.wait_for_load_state("networkidle")

    # then: the initiative remembers the figure and shows it before and after
    initiative = Initiative.objects.get()
    assert (initiative.metric, initiative.baseline_value) == ("changes.success_rate", 50.0)
    assert page.locator("svg.chart desc").count() == 1
    page.screenshot(path=str(screenshot_dir / "improvement-detail.png"), full_page=True)
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Improvements").click()
    page.wait_for_load_state("networkidle")
    assert initiative.number in page.content()
    page.screenshot(path=str(screenshot_dir / "improvement-register.png"), full_page=True)
    watch.assert_clean()

    # and on a phone the board reads top to bottom without sideways scrolling
    phone, phone_watch = browser_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    sign_in(small, base, personas["manager"])
    small.goto(f"{base}{reverse('dashboards:practice', args=['changes'])}")
    small.screenshot(path=str(screenshot_dir / "practice-changes-phone.png"), full_page=True)
    wide = small.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert small.evaluate("document.documentElement.scrollWidth") <= 390, wide
    phone_watch.assert_clean()
