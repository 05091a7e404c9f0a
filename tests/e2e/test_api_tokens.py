"""API tokens in headless Chromium: a person finds the page in the account menu, creates a
scoped key, copies it once, uses it, and revokes it; an administrator adds a service account.
Screenshots: var/screenshots/api-tokens-*.png."""

from pathlib import Path

import pytest
from django.urls import reverse

from itsm.api.models import ApiToken, ServiceAccount
from tests.e2e.nav import follow
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def shot(page, screenshot_dir: Path, name: str) -> None:
    path = screenshot_dir / f"api-tokens-{name}.png"
    page.screenshot(path=str(path), full_page=True)


def test_a_person_creates_uses_and_revokes_a_token(personas, live_server, browser_context, screenshot_dir):
    context, watch = browser_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)
    # given: the page is in the account menu
    follow(page, "Account", "API tokens")
    assert page.get_by_role("heading", name="API tokens", exact=True).is_visible()
    # when: a key for incidents only, read and write, for 30 days
    page.get_by_label("Name").fill("Monitoring (Zabbix)")
    page.get_by_label("Expires after").select_option("30")
    page.get_by_label("Incidents, categories").select_option("write")
    page.get_by_role("button", name="Create token").click()
    # then: the key is shown once, with a copy button that works
    key = page.get_by_label("Key").input_value()
    assert key.startswith("itsm_")
    # the Clipboard API needs a focused page: late in a long run another page may hold the focus
    page.bring_to_front()
    page.get_by_role("button", name="Copy key").click()
    page.get_by_text("Copied to the clipboard.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == key
    shot(page, screenshot_dir, "created")
    # and the key works within its scope only
    headers = {"Authorization": f"Token {key}"}
    assert page.request.get(f"{live_server.url}/api/v1/incidents/", headers=headers).status == 200
    refused = page.request.get(f"{live_server.url}/api/v1/changes/", headers=headers)
    assert refused.status == 403 and refused.json()["error"]["code"] == "insufficient_scope"
    # when: back on the list, the key is not shown again; revoke it
    page.get_by_role("link", name="I have copied it").click()
    assert key not in page.content()
    row = page.get_by_role("row", name="Monitoring (Zabbix)")
    assert "incidents:write" in row.inner_text() and "Active" in row.inner_text()
    row.get_by_text("Revoke…").click()
    shot(page, screenshot_dir, "list")
    row.get_by_role("button", name="Revoke “Monitoring (Zabbix)”").click()
    page.get_by_text("is revoked").wait_for()
    # then: the key stops working at once
    assert page.request.get(f"{live_server.url}/api/v1/incidents/", headers=headers).status == 401
    assert "Revoked" in page.get_by_role("row", name="Monitoring (Zabbix)").inner_text()
    watch.assert_clean()


def test_the_token_page_on_a_phone(personas, live_server, browser_context, screenshot_dir):
    ApiToken.issue(personas["requester"], "Chat bot", scopes=["incidents:read", "knowledge:read"])
    context, watch = browser_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server.url, personas["requester"].username)
    follow(page, "Account", "API tokens")
    assert page.get_by_role("cell", name="Chat bot").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, screenshot_dir, "phone")
    watch.assert_clean()


def test_an_administrator_adds_a_service_account_and_issues_its_token(
    personas, live_server, browser_context, screenshot_dir
):
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["admin"].username)
    follow(page, "Admin", "Service accounts")
    page.get_by_label("Account name").fill("hr-sync")
    page.get_by_label("Display name").fill("HR system")
    page.get_by_label("What it is for").fill("Orders accounts for new starters")
    page.get_by_label("Requester").check()
    page.get_by_role("button", name="Add service account").click()
    page.get_by_role("heading", name="API tokens of hr-sync").wait_for()
    page.get_by_label("Name").fill("HR nightly")
    page.get_by_label("Expires after").select_option("never")
    page.get_by_label("Service catalogue").select_option("write")
    page.get_by_role("button", name="Create token").click()
    key = page.get_by_label("Key").input_value()
    account = ServiceAccount.objects.get(user__username="hr-sync")
    assert ApiToken.objects.get(user=account.user).key_hash == ApiToken.hash_key(key)
    page.get_by_role("link", name="I have copied it").click()
    shot(page, screenshot_dir, "service-account")
    page.get_by_role("link", name="Service accounts").first.click()
    assert "HR system" in page.get_by_role("row", name="hr-sync").inner_text()
    watch.assert_clean()
