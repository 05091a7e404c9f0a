"""The change form's assignee list follows the chosen assignment group (htmx), in Chromium."""

import pytest
from django.urls import reverse

from tests.e2e.test_smoke import sign_in
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser


def test_choosing_a_group_narrows_the_assignees_to_its_members(
    personas, team, live_server, browser_context, screenshot_dir
):
    # given: a second team with its own agent
    network = TeamFactory(name="Network")
    nora = UserFactory(username="nora.network", first_name="Nora", last_name="Net", roles=["agent"])
    network.members.add(nora)
    context, watch = browser_context()
    page = context.new_page()
    sign_in(page, live_server.url, personas["agent"].username)
    page.goto(f"{live_server.url}{reverse('change:create')}")
    assignee = page.get_by_label("Assignee")
    everyone = assignee.locator("option").all_text_contents()
    assert any("nora.network" in label for label in everyone)
    assert not any(personas["requester"].username in label for label in everyone)

    # when
    with page.expect_response(lambda response: "/changes/assignees/" in response.url):
        page.get_by_label("Assignment group").select_option(label="Network")
    page.wait_for_timeout(200)  # htmx swaps after the response event

    # then
    labels = [label for label in assignee.locator("option").all_text_contents() if label != "---------"]
    assert labels == ["Nora Net (nora.network)"]
    page.screenshot(path=str(screenshot_dir / "change-assignees-by-group.png"), full_page=False)
    watch.assert_clean()
