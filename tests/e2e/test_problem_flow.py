"""A problem from end to end in headless Chromium: an agent links three incidents to a new problem,
documents the root cause and a workaround, and sees the known error proposed on a fourth incident.

Screenshots (agent and manager: problem queue, record page, candidates queue, the incident
page's known-error suggestions; phone width too) go to var/screenshots/problem-*.png.
"""

import pytest
from django.urls import reverse

from incidents.services import create_incident
from problems import services
from problems.models import linked_problem_of
from tests.e2e.test_incident_flow import sign_in
from tests.factories import ServiceFactory

pytestmark = pytest.mark.browser

VPN_DROPS = [
    "VPN tunnel drops every few minutes",
    "anyconnect drops the VPN tunnel after a few minutes",
    "the VPN tunnel keeps dropping, anyconnect reconnects",
    "VPN: tunnel drops again after some minutes",
]


@pytest.fixture
def reports(personas, team):
    """Four reports of one VPN fault, and a cluster of similar ones for the candidates queue."""
    team.members.add(personas["agent"], personas["manager"])
    vpn = ServiceFactory(name="VPN")
    incidents = [create_incident(actor=personas["requester"], title=t, service=vpn) for t in VPN_DROPS]
    mail = ServiceFactory(name="E-mail")
    for title in [
        "Outlook crashes when opening attachments",
        "opening attachments makes Outlook crash",
        "crash of Outlook on opening attachments",
    ]:
        create_incident(actor=personas["requester"], title=title, service=mail)
    services.propose_problems()
    return incidents


def test_an_agent_turns_three_incidents_into_a_known_error(
    personas, reports, live_server, browser_context, screenshot_dir
):
    base = live_server.url
    first_three, fourth = reports[:3], reports[3]
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, base, personas["agent"].username)

    # --- a new problem with three incidents ------------------------------------------------------
    page.goto(f"{base}{reverse('problem:create')}")
    page.get_by_label("Title").fill("VPN tunnel drops every few minutes")
    page.get_by_label("Problem statement").fill("Several people lose the VPN tunnel every few minutes.")
    page.get_by_label("Service").select_option(label="VPN")
    page.get_by_label("Incidents").fill(" ".join(i.number for i in first_three))
    page.get_by_role("button", name="Raise problem").click()
    page.wait_for_load_state("networkidle")
    for incident in first_three:
        assert page.get_by_text(incident.number).first.is_visible()

    # --- root cause, then the workaround ---------------------------------------------------------
    page.get_by_role("link", name="Edit the analysis").click()
    page.get_by_label("Root cause").fill("The VPN gateway's idle timeout is 120 s since the last update.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save analysis").click()
    page.wait_for_load_state("networkidle")
    page.get_by_text("Document a workaround").click()
    page.get_by_role("textbox", name="Workaround").fill("Turn on 'keep alive' in the AnyConnect preferences.")
    page.get_by_role("button", name="Publish workaround").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("keep alive").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "problem-record-agent.png"), full_page=True)

    # --- the fourth incident proposes the known error --------------------------------------------
    page.goto(f"{base}{fourth.get_absolute_url()}")
    card = page.locator("#known-errors")
    card.get_by_text("Workaround:").wait_for()
    assert "VPN tunnel drops every few minutes" in card.inner_text()
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "problem-suggestions-agent.png"), full_page=True)
    card.get_by_role("button", name="Link to").click()
    page.get_by_text("Linked to problem").first.wait_for()
    assert linked_problem_of(fourth.pk) is not None

    page.goto(f"{base}{reverse('problem:workspace')}")
    page.screenshot(path=str(screenshot_dir / "problem-queue-agent.png"), full_page=True)
    watch.assert_clean()


def test_the_manager_sees_queues_and_candidates_on_a_phone(
    personas, reports, live_server, browser_context, screenshot_dir
):
    base = live_server.url
    context, watch = browser_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, base, personas["manager"].username)
    page.goto(f"{base}{reverse('problem:candidates')}")
    assert page.get_by_role("button", name="Accept as problem").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "problem-candidates-manager-phone.png"), full_page=True)
    page.get_by_role("button", name="Accept as problem").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot_dir / "problem-record-manager-phone.png"), full_page=True)
    page.goto(f"{base}{reverse('problem:workspace')}")
    page.screenshot(path=str(screenshot_dir / "problem-queue-manager-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the queue scrolls sideways on a phone ({width}px)"
    watch.assert_clean()
