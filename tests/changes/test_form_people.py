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
