"""In headless Chromium: an approver who is a plain end user finds "My approvals" on the portal,
opens one, approves it; another is decided from the e-mailed link after signing in. Pages are
watched (no request off loopback, no console error); screenshots go to var/screenshots/approval-*.png.
"""

import re

import pytest
from django.urls import reverse

from itsm.approvals.choices import Decision
from itsm.approvals.models import Approval
from itsm.approvals.services import StageSpec, start_approval
from itsm.approvals.tokens import approval_link
from itsm.core.choices import TaskKind
from tests.e2e.conftest import (  # noqa: F401 — the browser fixtures, shared with tests/e2e
    _loopback_address,
    _plain_http,
    _role_groups,
    browser_context,
    chromium,
    live_server,
    screenshot_dir,
)
from tests.factories import PASSWORD, TaskFactory, UserFactory

pytestmark = pytest.mark.browser


def sign_in(page, base_url: str, username: str) -> None:
    """Sign in through the real form: the one the page was sent to, or the login page."""
    if "/accounts/login/" not in page.url:
        page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def desk(requester, handler):
    """Paula (a plain end user) approves for Rita: two laptops wait for her decision."""
    requester.first_name, requester.last_name = "Rita", "Requester"
    requester.save()
    paula = UserFactory(
        username="paula.approver", first_name="Paula", last_name="Approver", roles=["requester"]
    )
    plans = []
    for title in ("New laptop", "Second monitor"):
        item = TaskFactory(
            kind=TaskKind.REQUEST_ITEM, requester=requester, title=title, description=f"{title}, please."
        )
        plans.append(start_approval(item, [StageSpec("Manager approval", [paula])], actor=requester))
    return {"paula": paula, "approvals": [Approval.objects.get(stage__plan=plan) for plan in plans]}


def test_an_approver_approves_from_the_portal(desk, live_server, browser_context, screenshot_dir):  # noqa: F811
    # given
    context, watch = browser_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    sign_in(page, live_server.url, "paula.approver")

    # when: from the portal home to My approvals, then the first request
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My approvals").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="My approvals").is_visible()
    page.screenshot(path=str(screenshot_dir / "approval-queue.png"), full_page=True)
    page.get_by_role("link", name=re.compile("New laptop")).click()
    page.get_by_label("Comment").fill("Fine: the old one is five years old.")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state("networkidle")

    # then
    assert page.get_by_text("You approved").is_visible()
    page.screenshot(path=str(screenshot_dir / "approval-approved.png"), full_page=True)
    first = Approval.objects.get(pk=desk["approvals"][0].pk)
    assert first.state == Decision.APPROVED and first.comment.startswith("Fine")
    watch.assert_clean()


def test_an_approver_rejects_from_the_mailed_link_after_signing_in(
    desk,
    live_server,  # noqa: F811
    browser_context,  # noqa: F811
    screenshot_dir,  # noqa: F811
):
    # given: the link from the e-mail, opened while signed out
    approval = desk["approvals"][1]
    link = re.sub(r"^https?://[^/]+", live_server.url, approval_link(approval))
    context, watch = browser_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()

    # when
    page.goto(link)
    sign_in(page, live_server.url, "paula.approver")
    assert page.get_by_role("heading", name=re.compile("Second monitor")).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "approval-link-phone.png"), full_page=True)
    page.get_by_role("button", name="Reject").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Say why you reject it").first.is_visible()  # a comment is needed
    page.get_by_label("Comment").fill("One screen is enough for now.")
    page.get_by_role("button", name="Reject").click()
    page.wait_for_load_state("networkidle")

    # then: decided once; the link is spent
    approval.refresh_from_db()
    assert approval.state == Decision.REJECTED
    page.goto(link)
    assert page.get_by_text("already used").is_visible()
    # The two refusals above answer 400 and 410 on purpose; the browser logs such statuses.
    expected = re.compile(r"status of (400|410)")
    watch.console_errors = [error for error in watch.console_errors if not expected.search(error)]
    watch.assert_clean()
