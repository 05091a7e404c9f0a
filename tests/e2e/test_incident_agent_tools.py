"""The service desk in headless Chromium: an agent logs a call, sets a parent, removes a link.

Screenshots of the desk form and the record page go to var/screenshots/desk-*.png.
"""

import re

import pytest

from incidents.models import Incident
from incidents.services import create_incident
from itsm.core.choices import LinkKind
from itsm.core.models import TaskLink
from itsm.core.services.activity import link_tasks
from tests.e2e.nav import follow
from tests.e2e.test_incident_flow import sign_in
from tests.factories import ServiceFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(personas, team):
    """A VIP requester who calls, an agent at the desk, an outage to hang the call under."""
    rita, andy = personas["requester"], personas["agent"]
    rita.first_name, rita.last_name, rita.email = "Rita", "Requester", "rita@example.org"
    rita.save()
    rita.profile.vip = True
    rita.profile.save()
    andy.first_name, andy.last_name = "Andy", "Agent"
    andy.save()
    ServiceFactory(name="E-mail")
    outage = create_incident(actor=andy, title="Mail server down for everyone", assignment_group=team)
    return {"rita": rita, "andy": andy, "outage": outage}


def test_an_agent_logs_a_call_sets_a_parent_and_unlinks(desk, live_server, browser_context, screenshot_dir):
    base = live_server.url
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, base, desk["andy"].username)

    # --- log the call from the navigation ---------------------------------------------------
    follow(page, "Work", "New incident")
    assert page.locator("h1").inner_text() == "Log an incident for a caller"
    page.get_by_role("combobox", name="Caller").fill("Rita Requester")
    page.get_by_role("combobox", name="Caller").press("Tab")  # a change: the caller card loads
    page.locator(".caller-card", has_text="Rita Requester").wait_for()
    assert page.locator(".caller-card .badge-vip").inner_text() == "VIP"
    page.get_by_label("Contact type").select_option("phone")
    page.get_by_label("Short description").fill("Cannot send e-mail from Outlook")
    page.get_by_role("textbox", name="Details").fill("Called at 9:05; the outbox is stuck.")
    page.get_by_role("combobox", name="Service").fill("E-mail")
    page.get_by_label("Urgency").select_option("1")
    page.screenshot(path=str(screenshot_dir / "desk-1-new-incident.png"), full_page=True)
    page.get_by_role("button", name="Log incident").click()

    message = page.locator(".message-success").inner_text()
    number = re.search(r"INC\d+", message).group(0)
    assert "was logged for Rita Requester" in message
    call = Incident.objects.get(number=number)
    assert (call.requester, call.contact_type, call.urgency, call.service.name) == (
        desk["rita"],
        "phone",
        1,
        "E-mail",
    )
    assert page.locator(".requester-vip").inner_text() == "VIP"

    # --- hang it under the outage -------------------------------------------------------------
    outage = desk["outage"]
    page.get_by_text("Set a parent incident").click()
    page.get_by_label("Parent incident").fill(outage.number)
    page.get_by_role("button", name="Set parent").click()
    assert f"Now a child of {outage.number}." in page.locator(".message-success").inner_text()
    assert Incident.objects.get(pk=call.pk).parent_id == outage.pk

    # --- remove a link, in place ----------------------------------------------------------------
    link_tasks(call, outage, LinkKind.RELATED_TO, actor=desk["andy"])
    page.reload()
    page.screenshot(path=str(screenshot_dir / "desk-2-record.png"), full_page=True)
    page.locator("#links [data-unlink]").click()
    page.locator("#links", has_text=f"The link to {outage.number} was removed.").wait_for()
    assert not TaskLink.objects.exists()
    assert page.locator("#timeline-list", has_text="Link removed").count() == 1

    # --- the outage lists its child with its state -------------------------------------------------
    page.goto(f"{base}{outage.get_absolute_url()}")
    assert page.locator(".child-list", has_text=number).count() == 1
    page.screenshot(path=str(screenshot_dir / "desk-3-parent.png"), full_page=True)

    # --- the form on a phone --------------------------------------------------------------------------
    phone_context, phone_watch = browser_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    sign_in(phone, base, desk["andy"].username)
    phone.goto(f"{base}/incidents/new/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=str(screenshot_dir / "desk-4-phone.png"), full_page=True)
    assert width <= 390

    watch.assert_clean()
    phone_watch.assert_clean()
