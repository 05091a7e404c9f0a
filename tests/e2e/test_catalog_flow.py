"""A catalog order from end to end in headless Chromium.

The requester orders a laptop, choosing the developer model, which makes a justification
field appear (no page reload), and picks a colleague with the keyboard in the person lookup;
the manager approves from the portal and can then read the request (not reply); the
fulfiller completes the tasks in the workspace; the requester sees the request fulfilled, and
the item and request pages fit a phone. Screenshots go to var/screenshots/catalog-*.png.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from catalog.models import ApprovalStep, CatalogItem, Category, FulfilmentStep, Request, Variable
from catalog.services import publish_item
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}{reverse('login')}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def shop(personas, team):
    names = {"requester": ("Rita", "Requester"), "agent": ("Andy", "Agent"), "manager": ("Mona", "Manager")}
    for role, (first, last) in names.items():
        personas[role].first_name, personas[role].last_name = first, last
        personas[role].save()
    personas["requester"].profile.manager = personas["manager"]
    personas["requester"].profile.save()
    hardware = Category.objects.create(name="Hardware", slug="hardware", icon="💻")
    laptop = CatalogItem.objects.create(
        name="Laptop",
        slug="laptop",
        category=hardware,
        short_description="A work laptop",
        description="Delivered **set up**.",
        delivery_time=timedelta(days=3),
    )
    Variable.objects.create(item=laptop, order=1, name="model", label="Model", type="choice", required=True,
                            choices="standard|Standard\ndeveloper|Developer")  # fmt: skip
    Variable.objects.create(item=laptop, order=2, name="justification", label="Why a developer laptop?",
                            type="textarea", required=True, condition_variable="model",
                            condition_value="developer", condition_effect="show")  # fmt: skip
    Variable.objects.create(item=laptop, order=3, name="same_as", label="Same set-up as", type="user",
                            help_text="A colleague whose software you need too (optional).")  # fmt: skip
    ApprovalStep.objects.create(item=laptop, approver="manager", rule="any", name="Line manager")
    FulfilmentStep.objects.create(item=laptop, order=10, title="Prepare laptop", assignment_group=team)
    FulfilmentStep.objects.create(item=laptop, order=20, title="Hand over", assignment_group=team)
    publish_item(laptop, actor=None)
    return personas


def test_a_laptop_from_order_to_delivery(shop, live_server, browser_context, screenshot_dir):
    base = live_server.url

    # --- the requester orders, and the conditional field appears without a reload -----------
    rita_context, rita_watch = browser_context()
    rita = rita_context.new_page()
    sign_in(rita, base, shop["requester"].username)
    rita.goto(f"{base}{reverse('catalog:home')}")
    rita.get_by_label("Search the catalog").fill("lapt")
    rita.get_by_role("button", name="Search").click()
    rita.get_by_role("link", name="Laptop").first.click()
    rita.wait_for_load_state("networkidle")
    justification = rita.get_by_label("Why a developer laptop?")
    assert not justification.is_visible()
    rita.get_by_label("Model").select_option("developer")
    assert justification.is_visible()
    rita.get_by_label("Model").select_option("standard")
    assert not justification.is_visible()
    rita.get_by_label("Model").select_option("developer")
    justification.fill("I build the mobile app and need the emulators.")
    # the person lookup: type, Enter searches (does not order), Tab + Space picks
    same_as = rita.get_by_role("searchbox", name="Same set-up as")
    same_as.fill("andy")
    rita.get_by_role("radio", name="Andy Agent").wait_for()
    # Enter searches at once (it does not order): wait for that search's answer to be drawn
    with rita.expect_response(lambda response: "/lookups/" in response.url):
        same_as.press("Enter")
    rita.get_by_role("radio", name="Andy Agent").wait_for()
    assert not Request.objects.exists()
    rita.keyboard.press("Tab")
    rita.keyboard.press("Space")
    assert rita.get_by_role("radio", name="Andy Agent").is_checked()
    rita.screenshot(path=str(screenshot_dir / "catalog-requester-order.png"), full_page=True)
    rita.get_by_role("button", name="Order now").click()
    rita.wait_for_load_state("networkidle")
    request = Request.objects.get()
    assert request.number in rita.content()
    assert "Awaiting approval" in rita.content()

    # --- the manager approves from the portal -----------------------------------------------
    mona_context, mona_watch = browser_context()
    mona = mona_context.new_page()
    sign_in(mona, base, shop["manager"].username)
    mona.goto(f"{base}{reverse('approval:portal-queue')}")
    mona.get_by_role("link", name="Laptop").first.click()
    mona.screenshot(path=str(screenshot_dir / "catalog-manager-approval.png"), full_page=True)
    mona.get_by_role("button", name="Approve").click()
    mona.wait_for_load_state("networkidle")
    # the approver reads the answers on the request page
    mona.goto(f"{base}{request.get_absolute_url()}")
    answers = mona.locator(".facts").first.inner_text()
    assert "I build the mobile app" in answers and "Andy Agent" in answers, answers
    mona.screenshot(path=str(screenshot_dir / "catalog-manager-request.png"), full_page=True)

    # --- the fulfiller completes the tasks ----------------------------------------------------
    andy_context, andy_watch = browser_context()
    andy = andy_context.new_page()
    sign_in(andy, base, shop["agent"].username)
    for title in ("Prepare laptop", "Hand over"):
        andy.goto(f"{base}{reverse('catalog:task-queue', args=['unassigned'])}")
        andy.get_by_role("row").filter(has_text=title).get_by_role("link").click()
        assert title in andy.content()
        andy.get_by_role("button", name="Assign to me").click()
        if title == "Prepare laptop":
            andy.screenshot(path=str(screenshot_dir / "catalog-agent-task.png"), full_page=True)
        andy.get_by_role("button", name="Complete").click()
        andy.wait_for_load_state("networkidle")

    # --- the requester sees it done -------------------------------------------------------------
    rita.goto(f"{base}{request.get_absolute_url()}")
    assert rita.locator("#request-state").inner_text() == "Fulfilled"
    rita.screenshot(path=str(screenshot_dir / "catalog-requester-done.png"), full_page=True)

    # --- on a phone: the item form and the request page ----------------------------------------
    phone_context, phone_watch = browser_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = phone_context.new_page()
    sign_in(phone, base, shop["requester"].username)
    phone.goto(f"{base}{reverse('catalog:item', args=['laptop'])}")
    phone.get_by_role("searchbox", name="Same set-up as").fill("mona")
    phone.get_by_role("radio", name="Mona Manager").wait_for()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the item page scrolls sideways on a phone ({width}px)"
    phone.screenshot(path=str(screenshot_dir / "catalog-phone-item.png"), full_page=True)
    phone.goto(f"{base}{request.get_absolute_url()}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshot_dir / "catalog-phone-request.png"), full_page=True)
    for watch in (rita_watch, mona_watch, andy_watch, phone_watch):
        watch.assert_clean()
