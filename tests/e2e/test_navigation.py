"""The header menus in Chromium: one row for every role, usable by keyboard, mouse and on a phone.

Screenshots (var/screenshots/nav-<role>-<desktop|phone>.png) show each role's header with its
busiest menu open, for a person to look at.
"""

import pytest
from django.urls import reverse

from tests.e2e.test_smoke import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
#: role → the menu to open for its screenshot (None: the account menu).
BUSIEST = {"requester": None, "agent": "Work", "manager": "Practices", "admin": "Admin"}


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def header_height(page) -> float:
    return page.locator("header.topbar").bounding_box()["height"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("role", list(BUSIEST))
def test_each_role_sees_a_compact_header(
    role, viewport, personas, live_server, browser_context, screenshot_dir
):
    # given
    context, watch = browser_context(viewport=PHONE if viewport == "phone" else DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, personas[role].username)

    # then: desktop headers are one row; on a phone the menus get rows of their own (two at most)
    assert header_height(page) < (70 if viewport == "desktop" else 150)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # when: the busiest menu opens
    menu = BUSIEST[role]
    if menu is None:
        page.get_by_role("navigation", name="Account").locator("summary").click()
        link = page.get_by_role("link", name="E-mail settings")
    else:
        main_nav(page).locator("summary", has_text=menu).click()
        link = main_nav(page).locator("details[open] a").first

    # then: its links are visible and inside the screen
    assert link.is_visible()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1
    page.screenshot(path=str(screenshot_dir / f"nav-{role}-{viewport}.png"))
    watch.assert_clean()


def test_menus_work_with_the_keyboard(personas, live_server, browser_context):
    # given
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["manager"].username)
    work = main_nav(page).locator("summary", has_text="Work")
    practices = main_nav(page).locator("summary", has_text="Practices")

    # when: Enter on a menu's name opens it; Tab reaches its links
    work.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    # then
    assert page.evaluate("document.activeElement.textContent") == "Workspace"

    # when: Escape closes it and returns to its name
    page.keyboard.press("Escape")

    # then
    assert main_nav(page).locator("details[open]").count() == 0
    assert page.evaluate("document.activeElement.textContent") == "Work"

    # when: opening another menu closes the first; a click elsewhere closes it too
    page.keyboard.press("Enter")
    practices.click()
    assert main_nav(page).locator("details[open] summary").all_inner_texts() == ["Practices"]
    page.locator("h1").first.click()
    assert main_nav(page).locator("details[open]").count() == 0

    # when: a link is followed by keyboard
    practices.focus()
    page.keyboard.press("Enter")
    main_nav(page).get_by_role("link", name="Changes").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then: the page opens and its menu's name is marked as the current place
    assert page.url.endswith(reverse("change:workspace"))
    marked = practices.evaluate("el => getComputedStyle(el).backgroundColor")
    assert marked != work.evaluate("el => getComputedStyle(el).backgroundColor")
    watch.assert_clean()


def test_signing_out_from_the_account_menu_on_a_phone(personas, live_server, browser_context):
    # given
    context, watch = browser_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)

    # when
    page.get_by_role("navigation", name="Account").locator("summary").click()
    page.get_by_role("button", name="Sign out").click()

    # then
    assert page.locator("h1").first.inner_text().startswith("Sign in")
    watch.assert_clean()
