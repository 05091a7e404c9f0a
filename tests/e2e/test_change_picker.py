"""The new-change form's type-ahead pickers in headless Chromium, on a desktop and on a phone:
the agent types into the CI search with the keyboard, ticks a match, and the change is raised
with it. Screenshots: var/screenshots/change-new-picker-*.png."""

import pytest
from django.urls import reverse

from changes.models import Change
from tests.e2e.test_incident_flow import sign_in
from tests.factories import ConfigurationItemFactory, ServiceFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_agent_finds_and_ticks_a_ci_with_the_keyboard(
    personas, live_server, browser_context, screenshot_dir, device
):
    for number in range(30):
        ConfigurationItemFactory(name=f"web-{number:02}")
    ConfigurationItemFactory(name="db-payroll-01")
    ServiceFactory(name="Payroll")
    options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True} if device == "phone" else {}
    context, watch = browser_context(**options)
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)
    page.goto(f"{live_server.url}{reverse('change:create')}")
    assert page.locator("text=web-07").count() == 0  # no CI is listed before a search

    page.get_by_label("Title").fill("Patch the payroll database")
    page.get_by_label("Affected CIs").focus()
    page.keyboard.type("payroll")
    match = page.locator(".picker-matches").get_by_role("checkbox", name="db-payroll-01")
    match.wait_for()
    page.keyboard.press("Tab")  # the first match is next in the tab order
    page.keyboard.press("Space")
    assert match.is_checked()
    page.screenshot(path=str(screenshot_dir / f"change-new-picker-{device}.png"), full_page=True)

    page.get_by_role("button", name="Raise change", exact=True).click()
    page.wait_for_load_state()
    change = Change.objects.get(title="Patch the payroll database")
    assert list(change.affected_cis.values_list("name", flat=True)) == ["db-payroll-01"]
    watch.assert_clean()
