"""The person lookup keeps a pick when a slower search answer arrives after it (issue: stale
responses dropped the pick). The test holds the search's response until the user has picked."""

import pytest
from django.urls import reverse

from tests.e2e.test_catalog_flow import shop, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_a_late_search_answer_does_not_drop_the_pick(shop, live_server, browser_context):  # noqa: F811
    # given: the laptop form, with "andy" searched and Andy Agent on screen
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, shop["requester"].username)
    page.goto(f"{live_server.url}{reverse('catalog:item', args=['laptop'])}")
    same_as = page.get_by_role("searchbox", name="Same set-up as")
    same_as.fill("andy")
    andy = page.get_by_role("radio", name="Andy Agent")
    andy.wait_for()
    page.wait_for_load_state("networkidle")

    # when: a further search is held back by the network while the user picks Andy
    held = []
    page.route("**/lookups/**", lambda route: held.append(route))
    same_as.press("End")
    same_as.type("y")  # "andyy": its answer would say "Nothing matches"
    page.wait_for_timeout(400)  # past the 250 ms debounce: the search is sent and held
    assert len(held) == 1
    andy.check()
    with page.expect_response(lambda response: "/lookups/" in response.url):
        held[0].continue_()
    page.wait_for_timeout(300)  # htmx swaps after the response event

    # then: the pick survives the late answer
    assert andy.is_checked()
    assert page.locator(".lookup-status", has_text="Nothing matches").count() == 0
    page.unroute("**/lookups/**")
    watch.assert_clean()
