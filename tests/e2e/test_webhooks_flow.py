"""An admin finds Webhooks in the Admin menu, creates one, sends a test delivery, reads the log
and replays it, on a desktop and on a phone. Screenshots: var/screenshots/webhooks-*.png."""

import hashlib
import hmac

import pytest
from django.urls import reverse

from itsm.notifications.models import WebhookSubscription
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.nav import follow
from tests.factories import PASSWORD
from tests.notifications.webhook_receiver import Receiver

pytestmark = pytest.mark.browser
SHOTS = SCREENSHOTS


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with Receiver() as running:
        yield running


def test_admin_creates_pings_and_replays_a_webhook(live_server, browser_context, personas, receiver):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, watch = browser_context()
    page = context.new_page()
    # given: the admin is signed in
    sign_in(page, live_server.url, personas["admin"].username)
    # when: Webhooks is found through the Admin menu
    follow(page, "Admin", "Webhooks")
    page.get_by_role("heading", name="Webhooks", level=1).wait_for()
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Name").fill("Monitoring <bridge>")
    page.get_by_label("Payload URL").fill(receiver.url("/hook"))
    page.get_by_label("incident.created — An incident was raised").check()
    page.get_by_label("sla.breached — A record breached an SLA target").check()
    page.get_by_role("button", name="Create webhook").click()
    # then: its page shows the secret on demand
    page.get_by_role("heading", name="Monitoring <bridge>").wait_for()
    subscription = WebhookSubscription.objects.get()
    page.get_by_text("Show the secret").click()
    assert page.locator("#webhook-secret").inner_text() == subscription.secret
    page.screenshot(path=str(SHOTS / "webhooks-detail-desktop.png"), full_page=True)
    # when: a test delivery is sent
    page.get_by_role("button", name="Send test delivery").click()
    page.get_by_role("link", name="webhook.ping").wait_for()
    # then: the receiver got it, signed
    (request,) = receiver.received
    message = f"{request.headers['X-ITSM-Timestamp']}.".encode() + request.body
    expected = hmac.new(subscription.secret.encode(), message, hashlib.sha256).hexdigest()
    assert request.headers["X-ITSM-Signature"] == f"sha256={expected}"
    # when: the delivery is opened and replayed
    page.get_by_role("link", name="webhook.ping").click()
    page.get_by_role("heading", name="Attempts").wait_for()
    assert "Delivered" in page.locator("table").inner_text()
    page.screenshot(path=str(SHOTS / "webhooks-delivery-desktop.png"), full_page=True)
    page.get_by_role("button", name="Replay").click()
    page.get_by_text("queued again with the same payload").wait_for()
    assert len(receiver.received) == 2 and receiver.received[1].body == request.body
    watch.assert_clean()


def test_webhook_pages_work_at_phone_width(live_server, browser_context, personas, receiver):
    from itsm.notifications.webhooks import services

    subscription = services.create_subscription(
        actor=personas["admin"], name="Chat bot", url=receiver.url("/hook"), event_types=["incident.created"]
    )
    services.send_ping(subscription, actor=personas["admin"])
    context, watch = browser_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, personas["admin"].username)
    follow(page, "Admin", "Webhooks")
    page.get_by_role("link", name="Chat bot").click()
    page.get_by_role("heading", name="Delivery log").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    page.screenshot(path=str(SHOTS / "webhooks-detail-phone.png"), full_page=True)
    watch.assert_clean()
