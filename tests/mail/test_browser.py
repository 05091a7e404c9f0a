# ruff: noqa: F811  (pytest fixtures imported from tests/e2e are requested by name)
"""The e-mail channel in headless Chromium: an incident raised by mail, the admin quarantine,
the e-mail settings page. Screenshots go to var/screenshots/mail-*.png for a person to look at."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from itsm.mail.models import Mailbox
from itsm.mail.services import ingest_message
from tests.e2e.conftest import (  # noqa: F401  (browser fixtures shared with tests/e2e)
    _fast_password_hashing,
    _loopback_address,
    _plain_http,
    _role_groups,
    browser_context,
    chromium,
    live_server,
    screenshot_dir,
)
from tests.factories import PASSWORD
from tests.mail.conftest import build_mail, sample

pytestmark = pytest.mark.browser

HTML = (
    "<html><body onload=\"alert('x')\"><p>Hello desk,</p><p>Since the update the <b>VPN client</b> "
    "disconnects every hour with error <i>809</i>.</p><script>alert('xss')</script>"
    "<ul><li>Windows 11</li><li>Home office, fibre</li></ul><p>Thanks,<br>Rita</p></body></html>"
)


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def desk(personas):
    personas["requester"].first_name, personas["requester"].last_name = "Rita", "Requester"
    personas["requester"].email = "rita@example.org"
    personas["requester"].save()
    return Mailbox.objects.create(name="servicedesk", address="servicedesk@example.com")


def test_an_incident_raised_by_mail_on_the_agent_page(
    desk, personas, live_server, browser_context, screenshot_dir
):
    # given: an HTML-only mail with a script and an attached log, then a reply by mail
    png = sample("mail-missing_content_disposition.eml")  # real mail bytes as a harmless .eml file
    first = ingest_message(
        build_mail(
            subject="VPN disconnects every hour",
            text=None,
            html=HTML,
            files=[
                ("vpn-client.log", "text/plain", b"809 tunnel closed\n"),
                ("earlier.eml", "message/rfc822", png),
            ],
        ),
        mailbox=desk,
    )
    ingest_message(
        build_mail(
            subject="Re: VPN disconnects every hour",
            text="It also happens on the office network.\n\nOn Mon, Service Desk wrote:\n> We received it",
            in_reply_to=first.message_id,
        ),
        mailbox=desk,
    )
    incident = Incident.objects.get(pk=first.task_id)
    # when
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)
    page.goto(live_server.url + incident.get_absolute_url())
    page.wait_for_load_state("networkidle")
    # then
    body = page.content()
    assert "disconnects every hour with error 809" in page.inner_text("main")
    assert "alert(" not in body and "onload" not in body
    assert "It also happens on the office network." in page.inner_text("main")
    assert "We received it" not in page.inner_text("main")
    assert "via e-mail" in page.inner_text("main")  # the contact type
    page.screenshot(path=str(screenshot_dir / "mail-incident-agent.png"), full_page=True)
    watch.assert_clean()


def test_the_admin_quarantine_list_and_message(desk, personas, live_server, browser_context, screenshot_dir):
    ingest_message(sample("rt-lorem-ipsum.eml"), mailbox=desk)
    ingest_message(
        b"Subject: Printer <b>broken</b>\r\nTo: servicedesk@example.com\r\n\r\nNo sender.\r\n", mailbox=desk
    )
    ingest_message(b"x" * 2000, mailbox=desk)
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["admin"].username)
    page.goto(live_server.url + "/admin/mail/quarantinedmessage/")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("#content")
    assert "No usable sender address." in text and "no headers" in text
    page.screenshot(path=str(screenshot_dir / "mail-admin-quarantine.png"), full_page=True)
    page.get_by_role("link", name="Printer <b>broken</b>").click()
    page.wait_for_load_state("networkidle")
    assert "Download the original" in page.inner_text("#content")
    page.screenshot(path=str(screenshot_dir / "mail-admin-quarantined-message.png"), full_page=True)


def test_the_email_settings_page_on_a_phone(desk, personas, live_server, browser_context, screenshot_dir):
    context, watch = browser_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, personas["requester"].username)
    page.goto(live_server.url + reverse("mail:preferences"))
    page.get_by_label("A digest (one e-mail per period)").check()
    page.get_by_label("State changes (resolved, reopened, fulfilled…)").uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    assert "Your e-mail settings were saved." in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir / "mail-preferences-phone.png"), full_page=True)
    watch.assert_clean()
