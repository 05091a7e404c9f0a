"""The change form offers only people who may hold each role, and keeps the assignee in the group."""

import pytest
from django.urls import reverse

from changes.forms import ChangeForm
from tests.factories import TeamFactory


@pytest.fixture
def people(agent, change_manager, requester, team):
    agent.first_name, agent.last_name = "Andy", "Agent"
    agent.save()
    return {"agent": agent, "change_manager": change_manager, "requester": requester, "team": team}


def test_the_assignee_list_holds_staff_and_the_change_manager_list_change_managers(people):
    # when
    form = ChangeForm()

    # then
    assignees = set(form.fields["assignee"].queryset)
    managers = set(form.fields["change_manager"].queryset)
    assert people["agent"] in assignees and people["requester"] not in assignees
    assert managers == {people["change_manager"]}
    labels = [label for _, label in form.fields["assignee"].choices]
    assert f"Andy Agent ({people['agent'].username})" in labels


def test_a_requester_cannot_be_posted_as_assignee_nor_an_agent_as_change_manager(people):
    # when
    form = ChangeForm(
        {
            "title": "Patch",
            "change_type": "normal",
            "impact": "2",
            "urgency": "2",
            "assignee": people["requester"].pk,
            "change_manager": people["agent"].pk,
        }
    )

    # then
    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["assignee"][0]
    assert "Select a valid choice" in form.errors["change_manager"][0]


def test_the_assignee_must_be_in_the_assignment_group(people):
    # given: a second team the agent is not in
    other = TeamFactory(name="Network")
    data = {"title": "Patch", "change_type": "normal", "impact": "2", "urgency": "2"}

    # when
    outside = ChangeForm({**data, "assignment_group": other.pk, "assignee": people["agent"].pk})
    inside = ChangeForm({**data, "assignment_group": people["team"].pk, "assignee": people["agent"].pk})

    # then
    assert not outside.is_valid() and "is not in Network" in outside.errors["assignee"][0]
    assert inside.is_valid(), inside.errors


def test_the_new_change_page_lists_no_requesters(client, people):
    # when
    client.force_login(people["agent"])
    page = client.get(reverse("change:create")).content.decode()

    # then
    assert f">Andy Agent ({people['agent'].username})</option>" in page
    assert f"({people['requester'].username})</option>" not in page


def test_a_chosen_group_limits_the_assignee_list_to_its_members(people):
    # given: a second agent outside the team
    from tests.factories import UserFactory

    olga = UserFactory(username="olga.other", roles=["agent"])

    # when
    form = ChangeForm(initial={"assignment_group": people["team"]})

    # then
    offered = {pk for pk, _ in form.fields["assignee"].choices if pk}
    assert offered == {people["agent"].pk} and olga.pk not in offered
    group_attrs = form.fields["assignment_group"].widget.attrs
    assert group_attrs["hx-get"] == reverse("change:assignees") and group_attrs["hx-target"] == "#id_assignee"


def test_editing_keeps_a_current_assignee_who_left_the_group(people):
    # given: the assignee is no longer in the change's group
    other = TeamFactory(name="Network")

    # when
    form = ChangeForm(initial={"assignment_group": other, "assignee": people["agent"]})

    # then: still offered (so saving does not clear them unseen)
    assert people["agent"].pk in {pk for pk, _ in form.fields["assignee"].choices}


def test_the_assignee_options_follow_the_group(client, people):
    # given
    from tests.factories import UserFactory

    UserFactory(username="olga.other", roles=["agent"])
    url = reverse("change:assignees")
    client.force_login(people["agent"])

    # when
    mine = client.get(url, {"assignment_group": people["team"].pk, "assignee": people["agent"].pk})
    everyone = client.get(url, {"assignment_group": ""})
    bad = client.get(url, {"assignment_group": "x' OR 1=1"})

    # then
    html = mine.content.decode()
    assert f'<option value="{people["agent"].pk}" selected>Andy Agent' in html and "olga" not in html
    assert "olga.other" in everyone.content.decode()
    assert people["requester"].username not in everyone.content.decode()
    assert bad.status_code == 400


def test_only_staff_may_list_assignees(client, people):
    client.force_login(people["requester"])
    assert client.get(reverse("change:assignees")).status_code == 403
