"""An incident from end to end in headless Chromium, as the people involved would live it.

A requester reports it in the portal; an agent finds it in the queue, takes it with the
keyboard, replies and resolves it; the requester reads the reply, confirms and rates. Every
page is watched (no request off loopback, no console error), and screenshots go to
var/screenshots/incident-*.png for a person to look at.
"""

import re

import pytest
from django.urls import reverse

from incidents.models import Incident, RoutingRule
from incidents.services import create_incident, decide_major, propose_major
from itsm.cmdb.models import Service
from tests.e2e.nav import follow
from tests.factories import PASSWORD, ServiceFactory

pytestmark = pytest.mark.browser


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def desk(personas, team):
    """Named people, a Payroll service, and a rule routing its incidents to the Service Desk."""
    names = {"requester": ("Rita", "Requester"), "agent": ("Andy", "Agent"), "manager": ("Mona", "Manager")}
    for role, (first, last) in names.items():
        personas[role].first_name, personas[role].last_name = first, last
        personas[role].save()
    team.members.add(personas["manager"])
    payroll = ServiceFactory(name="Payroll")
    ServiceFactory(name="E-mail")
    RoutingRule.objects.create(name="Payroll to the desk", service=payroll, assignment_group=team)
    return personas


def test_an_incident_from_report_to_confirmation(
    desk, live_server, browser_context, screenshot_dir, tmp_path
):
    base = live_server.url
    screenshot = tmp_path / "payslip.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n")

    # --- the requester reports it -------------------------------------------------------------
    rita_context, rita_watch = browser_context()
    rita = rita_context.new_page()
    sign_in(rita, base, desk["requester"].username)
    rita.get_by_role("link", name="Report a problem").click()
    rita.get_by_label("What is wrong?").fill("Payroll shows last month's figures")
    rita.get_by_label("Which service is affected?").fill("Payroll")
    rita.get_by_label("I cannot work at all").check()
    rita.get_by_label("Details").fill("Since this morning the payslips show October.")
    rita.get_by_label("Screenshots or files").set_input_files(str(screenshot))
    rita.screenshot(path=str(screenshot_dir / "incident-1-report.png"), full_page=True)
    rita.get_by_role("button", name="Send report").click()

    number = rita.locator(".confirmation-number").inner_text()
    assert re.fullmatch(r"INC\d+", number)
    assert rita.locator("h1").inner_text() == "Thank you, we have your report"
    rita.screenshot(path=str(screenshot_dir / "incident-2-reported.png"), full_page=True)
    incident = Incident.objects.get(number=number)
    assert (incident.urgency, incident.service.name, incident.attachments.count()) == (1, "Payroll", 1)

    # --- the agent finds it in the queue and takes it with the keyboard ------------------------
    andy_context, andy_watch = browser_context()
    andy = andy_context.new_page()
    sign_in(andy, base, desk["agent"].username)
    follow(andy, "Work", "Incidents")
    andy.get_by_role("link", name="Unassigned in my groups").click()
    row = andy.locator("tr[data-row]", has_text=number)
    row.wait_for()
    andy.screenshot(path=str(screenshot_dir / "incident-3-queue.png"), full_page=True)
    andy.keyboard.press("j")
    assert "is-current" in row.get_attribute("class")
    andy.keyboard.press("a")
    andy.wait_for_load_state("networkidle")
    assert andy.locator(".message-success").inner_text() == f"{number} is assigned to you."

    andy.get_by_role("link", name="My incidents").click()
    andy.wait_for_url("**/incidents/queues/mine/")
    andy.locator("tr[data-row]", has_text=number).wait_for()
    andy.keyboard.press("j")
    andy.keyboard.press("o")
    andy.wait_for_url(f"**{incident.get_absolute_url()}")
    assert number in andy.locator(".record-number").inner_text()

    # someone else opens the record: both see each other
    mona_context, mona_watch = browser_context()
    mona = mona_context.new_page()
    sign_in(mona, base, desk["manager"].username)
    mona.goto(f"{base}{incident.get_absolute_url()}")
    mona.locator("#presence", has_text="Andy Agent").wait_for()

    # in-place edit: the impact, with the priority recomputed and the page's version moving on
    andy.locator("#field-impact .edit-link").click()
    andy.locator("form#field-impact select[name=impact]").select_option("1")
    andy.locator("form#field-impact").get_by_role("button", name="Save").click()
    andy.locator("#field-impact", has_text="P1 - Critical").wait_for()
    versions = set(andy.eval_on_selector_all("input[name=expected_version]", "els => els.map(e => e.value)"))
    assert versions == {str(Incident.objects.get(pk=incident.pk).version)}

    # reply ("r" jumps to the box), then resolve
    andy.keyboard.press("r")
    assert andy.evaluate("document.activeElement.name") == "body"
    andy.keyboard.type("We found the cause: the October run was published again. Fixed now.")
    andy.get_by_role("button", name="Send").click()
    assert andy.locator(".message-success").inner_text() == "Your reply was sent to the requester."
    andy.locator("summary", has_text="Resolve").click()
    andy.get_by_label("Resolution", exact=True).select_option("permanent")
    andy.get_by_label("Resolution notes").fill("Republished the November payslips.")
    andy.locator(".move-form").get_by_role("button", name="Resolve").click()
    andy.locator(".message-success", has_text="Resolved.").wait_for()
    andy.screenshot(path=str(screenshot_dir / "incident-4-record.png"), full_page=True)
    andy.keyboard.press("?")
    andy.locator("dialog#shortcuts[open]").wait_for()
    andy.screenshot(path=str(screenshot_dir / "incident-5-shortcuts.png"))

    # --- the requester sees the reply, confirms and rates --------------------------------------
    rita.goto(f"{base}{reverse('portal:home')}")
    rita.get_by_role("link", name="All my incidents").click()
    rita.get_by_role("link", name=re.compile("Payroll shows last month")).click()
    assert rita.get_by_text("We found the cause").count() == 1
    assert rita.get_by_text("Republished the November payslips.").count() >= 1
    rita.get_by_role("button", name="Yes, it is solved — close it").click()
    assert (
        rita.locator(".message-success").inner_text() == "Thank you for confirming. The incident is closed."
    )
    rita.locator("label", has_text="5").click()
    rita.get_by_label("Comment (optional)").fill("Quick and clear, thank you.")
    rita.get_by_role("button", name="Send rating").click()
    assert rita.locator(".message-success").inner_text() == "Thank you for rating the resolution."
    rita.screenshot(path=str(screenshot_dir / "incident-6-requester-closed.png"), full_page=True)

    closed = Incident.objects.get(pk=incident.pk)
    assert (closed.state, closed.assignee, closed.ratings.get().score) == ("closed", desk["agent"], 5)
    for watch in (rita_watch, andy_watch, mona_watch):
        watch.assert_clean()


def test_the_portal_announces_a_major_incident(desk, live_server, browser_context, screenshot_dir):
    # given: a manager accepted an agent's proposal for a Payroll incident someone else raised
    payroll = Service.objects.get(name="Payroll")
    incident = create_incident(actor=desk["agent"], title="Payroll batch failed", service=payroll)
    propose_major(incident, actor=desk["agent"], reason="Nobody can see their payslip")
    decide_major(incident, actor=desk["manager"], accept=True)
    context, watch = browser_context()
    page = context.new_page()

    # when
    sign_in(page, live_server.url, desk["requester"].username)

    # then
    banner = page.locator(".major-banner")
    assert "Major incident affecting Payroll" in banner.inner_text()
    page.screenshot(path=str(screenshot_dir / "incident-7-portal-banner.png"), full_page=True)
    page.get_by_role("link", name="Report a problem").click()
    assert "Payroll" in page.locator(".known-card").inner_text()
    watch.assert_clean()


def test_the_portal_on_a_phone(desk, live_server, browser_context, screenshot_dir):
    # given
    context, watch = browser_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, desk["requester"].username)

    # when
    page.goto(f"{live_server.url}{reverse('incident:report')}")

    # then: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "incident-phone-report.png"), full_page=True)
    watch.assert_clean()
