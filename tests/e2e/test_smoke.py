"""Smoke test in headless Chromium: each role signs in through the real form and lands on its surface.

Every page is watched: a request that leaves loopback or an error in the console fails the test.
Screenshots go to var/screenshots/<role>.png for a person to look at.
"""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from itsm.cmdb.choices import OperationalStatus
from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.services import activity
from tests.e2e.nav import follow
from tests.factories import PASSWORD, ServiceFactory, TaskFactory

pytestmark = pytest.mark.browser

#: role → (the heading of its landing page, the navigation links it must see, links it must not see)
LANDING = {
    "requester": ("Hello, Rita", ["Portal", "API docs"], ["Workspace", "Dashboards", "Admin", "System"]),
    "agent": ("My work", ["Workspace", "Portal", "Services", "API docs"], ["Dashboards", "Admin"]),
    "manager": ("Service desk overview", ["Workspace", "Portal", "Dashboards", "Services"], ["Admin"]),
    "change_manager": ("My work", ["Workspace", "Portal", "Services"], ["Dashboards", "Admin"]),
    "knowledge_manager": ("My work", ["Workspace", "Portal", "Services"], ["Dashboards", "Admin"]),
    "admin": ("My work", ["Workspace", "Dashboards", "System", "Admin", "API docs"], []),
}
NAMES = {
    "requester": ("Rita", "Requester"),
    "agent": ("Andy", "Agent"),
    "manager": ("Mona", "Manager"),
    "change_manager": ("Carl", "Change"),
    "knowledge_manager": ("Kim", "Knowledge"),
    "admin": ("Ada", "Admin"),
}
XSS_CORPUS = Path("/work/shared/testdata/xss/payloads.json")


@pytest.fixture
def living_system(personas, team):
    """Enough records and services that every landing page has something to show."""
    for role, (first, last) in NAMES.items():
        personas[role].first_name, personas[role].last_name = first, last
        personas[role].save()
    agent, requester = personas["agent"], personas["requester"]
    payroll = ServiceFactory(name="Payroll", operational_status=OperationalStatus.DEGRADED)
    ServiceFactory(name="E-mail")
    ServiceFactory(name="VPN", operational_status=OperationalStatus.MAINTENANCE)
    printer = TaskFactory(
        requester=requester,
        assignment_group=team,
        assignee=agent,
        title="Printer on floor 3 jams on every page",
        description="Since Monday.\nThe display says E-204.",
        state="in_progress",
        state_category=StateCategory.OPEN,
        priority=Priority.HIGH,
    )
    activity.add_comment(printer, actor=requester, body="It also smells of burnt toner.")
    activity.add_comment(printer, actor=agent, body="Fuser unit ordered.", is_public=False)
    TaskFactory(
        requester=requester,
        assignment_group=team,
        title="Payroll shows last month",
        service=payroll,
        priority=Priority.CRITICAL,
    )
    TaskFactory(
        requester=requester,
        kind=TaskKind.REQUEST,
        title="New laptop for a new starter",
        priority=Priority.LOW,
        state="pending",
        state_category=StateCategory.PENDING,
    )
    TaskFactory(
        requester=requester,
        title="Cannot reach the VPN",
        state="resolved",
        state_category=StateCategory.RESOLVED,
    )
    TaskFactory(kind=TaskKind.CHANGE, title="Patch the database servers", assignment_group=team)
    return {"printer": printer}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def nav_links(page) -> list[str]:
    return [text.strip() for text in page.locator("nav.nav a").all_text_contents()]


@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_signs_in_and_lands_on_its_surface(
    role, personas, living_system, live_server, browser_context, screenshot_dir
):
    # given
    context, watch = browser_context()
    page = context.new_page()
    heading, must_see, must_not_see = LANDING[role]

    # when
    sign_in(page, live_server.url, personas[role].username)

    # then
    assert page.locator("h1").first.inner_text() == heading
    links = nav_links(page)
    assert all(link in links for link in must_see), links
    assert not any(link in links for link in must_not_see), links
    assert page.locator("nav.nav a[aria-current=page]").count() == 1
    assert NAMES[role][0] in page.locator(".nav-user summary").inner_text()
    page.screenshot(path=str(screenshot_dir / f"{role}.png"), full_page=True)
    watch.assert_clean()


def test_sign_in_page_before_anyone_signs_in(db, live_server, browser_context, screenshot_dir):
    # given
    context, watch = browser_context()
    page = context.new_page()

    # when
    page.goto(f"{live_server.url}/")

    # then: sent to sign in, which offers the password reset
    assert page.url.startswith(f"{live_server.url}{reverse('login')}?next=/")
    assert page.locator("nav.nav").count() == 0
    page.screenshot(path=str(screenshot_dir / "sign-in.png"))
    page.get_by_role("link", name="Forgot your password?").click()
    assert page.locator("h1").inner_text() == "Reset your password"
    watch.assert_clean()


def test_admin_sees_system_status(personas, live_server, browser_context, screenshot_dir):
    # given
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["admin"].username)

    # when
    follow(page, "Admin", "System")

    # then
    assert page.locator("h1").inner_text() == "System status"
    assert page.locator("nav.nav a[aria-current=page]").text_content() == "System"
    page.screenshot(path=str(screenshot_dir / "admin-system.png"), full_page=True)
    watch.assert_clean()


def test_agent_works_the_list_with_the_keyboard_and_htmx(
    personas, living_system, live_server, browser_context
):
    # given
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)

    # when: "/" jumps to search, typing filters the list in place
    page.keyboard.press("/")
    focused = page.evaluate("document.activeElement.name")
    page.keyboard.type("patch")
    page.wait_for_url("**/work/?q=patch*")
    results = page.locator("#results")

    # then
    assert focused == "q"
    results.get_by_text("Patch the database servers").wait_for()
    assert results.get_by_text("Printer on floor 3").count() == 0
    assert page.locator("h2", has_text="Assigned to me").count() == 1
    watch.assert_clean()


def test_requester_comments_on_a_record_and_signs_out(
    personas, living_system, live_server, browser_context, screenshot_dir
):
    # given
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["requester"].username)

    # when
    page.get_by_role("link", name="Printer on floor 3 jams on every page").click()
    page.get_by_label("Your comment").fill("Any news on the part?")
    page.get_by_role("button", name="Send").click()

    # then
    assert page.locator(".message-success").inner_text() == "Your comment was added."
    assert page.get_by_text("Any news on the part?").count() == 1
    assert page.get_by_text("Fuser unit ordered.").count() == 0
    page.screenshot(path=str(screenshot_dir / "requester-record.png"), full_page=True)

    # when
    follow(page, "Account", "Sign out")

    # then
    assert page.locator("h1").first.inner_text().startswith("Sign in")
    watch.assert_clean()


def test_agent_record_page(personas, living_system, live_server, browser_context, screenshot_dir):
    # given
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)

    # when
    page.goto(f"{live_server.url}{living_system['printer'].get_absolute_url()}")

    # then
    assert page.get_by_text("Fuser unit ordered.").count() == 1
    assert page.get_by_label("Work note (staff only)").count() == 1
    page.screenshot(path=str(screenshot_dir / "agent-record.png"), full_page=True)
    watch.assert_clean()


@pytest.mark.parametrize(("role", "path"), [("requester", "portal:home"), ("agent", "core:workspace")])
def test_pages_fit_a_phone(role, path, personas, living_system, live_server, browser_context, screenshot_dir):
    # given
    context, watch = browser_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, personas[role].username)

    # when
    page.goto(f"{live_server.url}{reverse(path)}")

    # then: nothing wider than the screen (tables turn into stacked cards)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(screenshot_dir / f"{role}-phone.png"))
    watch.assert_clean()


@pytest.mark.skipif(not XSS_CORPUS.exists(), reason=f"XSS corpus not found at {XSS_CORPUS}")
def test_no_payload_runs_on_the_record_page(personas, live_server, browser_context):
    # given: every payload of the corpus as a comment on one record, and in its title
    payloads = [entry["payload"] for entry in json.loads(XSS_CORPUS.read_text())]
    requester = personas["requester"]
    task = TaskFactory(requester=requester, title=payloads[0], description="\n".join(payloads))
    for payload in payloads:
        activity.add_comment(task, actor=requester, body=payload)
    context, watch = browser_context()
    fired = []
    context.expose_binding("__xss", lambda source, *args: fired.append(args))
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    sign_in(page, live_server.url, personas["agent"].username)

    # when
    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    page.locator(".timeline").hover()

    # then
    assert fired == []
    assert page.locator(".timeline > li").count() == len(payloads)
    watch.assert_clean()
