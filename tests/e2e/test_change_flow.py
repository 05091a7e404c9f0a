"""A normal change in headless Chromium: an agent raises it, assesses its risk and asks the CAB;
the change manager (on the CAB) reads the risk evidence and approves; the agent schedules,
implements, completes and closes it. Screenshots go to var/screenshots/change-*.png for a
person to look at (the agent's record page, the change manager's view, the CAB agenda, a phone).
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from changes.choices import ChangeType
from changes.models import CABPolicy, CABStage, Change, RiskAnswer, RiskQuestion
from tests.e2e.nav import follow
from tests.e2e.test_incident_flow import sign_in
from tests.factories import ConfigurationItemFactory, ServiceFactory, TeamFactory

pytestmark = pytest.mark.browser


def pick(page, label: str, name: str) -> None:
    """Choose `name` in a type-ahead picker: type into its search box, tick the match."""
    page.get_by_label(label).fill(name)
    match = re.compile(rf"^\s*{re.escape(name)}(\s|$)")  # the label may add the CI class
    page.locator(".picker-matches").get_by_role("checkbox", name=match).check()


def at(hour: int, days: int) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def board(personas):
    """A CAB with the change manager, a normal-change policy, a two-question questionnaire."""
    names = {"agent": ("Andy", "Agent"), "change_manager": ("Carl", "Change")}
    for role, (first, last) in names.items():
        personas[role].first_name, personas[role].last_name = first, last
        personas[role].save()
    platform = TeamFactory(name="Platform")
    platform.members.add(personas["agent"])
    cab = TeamFactory(name="Change Advisory Board")
    cab.members.add(personas["change_manager"])
    policy = CABPolicy.objects.create(name="Normal changes", change_type=ChangeType.NORMAL)
    CABStage.objects.create(policy=policy, name="CAB", group=cab)
    for order, (text, answers) in enumerate(
        [("Does it need an outage?", [("No", 0), ("Yes", 10)]), ("Was it tested?", [("Yes", 0), ("No", 10)])],
        start=1,
    ):
        question = RiskQuestion.objects.create(text=text, order=order)
        for position, (answer, weight) in enumerate(answers, start=1):
            RiskAnswer.objects.create(question=question, text=answer, weight=weight, order=position)
    ServiceFactory(name="Payroll")
    ConfigurationItemFactory(name="db-payroll-01")
    return {"platform": platform}


def click_move(page, name: str) -> None:
    """Press the move's button; a move that takes input sits in a disclosure, opened first."""
    form = f"form[action$='/moves/{name}/']"
    disclosure = page.locator(f"details.move:has({form})")
    if disclosure.count() and not disclosure.evaluate("details => details.open"):
        disclosure.locator("summary").click()
    page.locator(f"{form} button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_a_normal_change_from_raising_to_closing(
    personas, board, live_server, browser_context, screenshot_dir
):
    base = live_server.url
    andy_context, andy_watch = browser_context()
    andy = andy_context.new_page()
    sign_in(andy, base, personas["agent"].username)

    # --- the agent raises the change --------------------------------------------------------
    follow(andy, "Practices", "Changes")
    andy.get_by_role("link", name="New change").click()
    andy.get_by_label("Title").fill("Upgrade the payroll database")
    andy.get_by_label("Reason / justification").fill("Security fixes in 16.4.")
    andy.get_by_label("Implementation plan").fill("1. Snapshot\n2. Upgrade\n3. Smoke test")
    andy.get_by_label("Back-out plan").fill("Restore the snapshot.")
    andy.get_by_label("Planned start").fill(at(20, 3).strftime("%Y-%m-%dT%H:%M"))
    andy.get_by_label("Planned end").fill(at(22, 3).strftime("%Y-%m-%dT%H:%M"))
    pick(andy, "Affected services", "Payroll")
    pick(andy, "Affected CIs", "db-payroll-01")
    andy.get_by_label("Assignment group").select_option(label="Platform")
    andy.get_by_role("button", name="Raise change").click()
    andy.wait_for_load_state("networkidle")
    change = Change.objects.get(title="Upgrade the payroll database")
    assert andy.url.endswith(change.get_absolute_url() + "#schedule-panel")  # checked on save

    # --- assessment and risk ----------------------------------------------------------------
    click_move(andy, "assess")
    for question in RiskQuestion.objects.all():
        andy.locator(f"#risk input[name='q{question.pk}']").first.check()
    andy.get_by_role("button", name="Compute the risk").click()
    andy.wait_for_load_state("networkidle")
    assert "Questionnaire: 0/100" in andy.inner_text("#risk")
    click_move(andy, "request_authorization")
    assert "Authorize" in andy.inner_text(".record-badges")
    andy.screenshot(path=str(screenshot_dir / "change-agent-awaiting-cab.png"), full_page=True)

    # --- the change manager reads the evidence on the CAB agenda and approves --------------
    carl_context, carl_watch = browser_context()
    carl = carl_context.new_page()
    sign_in(carl, base, personas["change_manager"].username)
    carl.goto(f"{base}{reverse('change:cab-agenda')}")
    assert change.number in carl.inner_text("main")
    carl.screenshot(path=str(screenshot_dir / "change-manager-cab-agenda.png"), full_page=True)
    carl.get_by_role("link", name=change.number).first.click()
    carl.wait_for_load_state("networkidle")
    carl.screenshot(path=str(screenshot_dir / "change-manager-record.png"), full_page=True)
    carl.locator("#approvals").get_by_role("link", name="Decide").click()
    carl.get_by_role("button", name="Approve").click()
    carl.wait_for_load_state("networkidle")
    change.refresh_from_db()
    assert change.cab_approved

    # --- the agent schedules, implements, completes and closes -----------------------------
    andy.reload()
    click_move(andy, "schedule")
    assert "Scheduled" in andy.inner_text(".record-badges")
    click_move(andy, "implement")
    andy.locator("details.move summary", has_text="Complete implementation").click()
    andy.get_by_label("How did it go?").select_option("successful")
    click_move(andy, "complete")
    click_move(andy, "close")
    assert "Closed" in andy.inner_text(".record-badges")
    andy.screenshot(path=str(screenshot_dir / "change-agent-closed.png"), full_page=True)
    change.refresh_from_db()
    assert change.state == "closed" and change.close_code == "successful"

    # --- the record on a phone -------------------------------------------------------------
    phone_context, phone_watch = browser_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    sign_in(phone, base, personas["change_manager"].username)
    phone.goto(f"{base}{change.get_absolute_url()}")
    phone.screenshot(path=str(screenshot_dir / "change-manager-phone.png"), full_page=True)
    for watch in (andy_watch, carl_watch, phone_watch):
        watch.assert_clean()
