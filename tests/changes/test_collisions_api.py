"""`GET|POST /api/v1/changes/{id}/collisions/`: the schedule check over the API."""

import pytest

from tests.changes.schedule_helpers import chain, planned_change

pytestmark = pytest.mark.django_db


def test_agent_gets_collisions_with_the_path(api_as, agent):
    app, vm = chain("payroll-app", "payroll-vm")
    mine = planned_change("Upgrade", cis=[app])
    other = planned_change("Patch the VM", cis=[vm])
    response = api_as(agent).get(f"/api/v1/changes/{mine.pk}/collisions/")
    assert response.status_code == 200
    data = response.json()
    assert data["has_window"] is True
    [collision] = data["collisions"]
    assert collision["kind"] == "related_ci"
    assert collision["path"] == ["payroll-app", "payroll-vm"]
    assert collision["change"]["number"] == other.number
    assert data["blackouts"] == [] and data["outside_maintenance"] is False


def test_post_with_hops(api_as, agent):
    a, _b, c = chain("a", "b", "c")
    mine = planned_change(cis=[a])
    planned_change(cis=[c])
    url = f"/api/v1/changes/{mine.pk}/collisions/"
    assert api_as(agent).post(url, {"hops": 1}).json()["collisions"] == []
    assert len(api_as(agent).post(url, {"hops": 2}).json()["collisions"]) == 1


@pytest.mark.parametrize("hops", ["-1", "99", "two"])
def test_bad_hops_is_a_400(api_as, agent, hops):
    mine = planned_change()
    response = api_as(agent).get(f"/api/v1/changes/{mine.pk}/collisions/", {"hops": hops})
    assert response.status_code == 400


def test_requesters_cannot_reach_a_change(api_as, requester):
    mine = planned_change(requester=requester)
    assert api_as(requester).get(f"/api/v1/changes/{mine.pk}/collisions/").status_code == 404


def test_anonymous_is_refused(api_client):
    mine = planned_change()
    assert api_client.get(f"/api/v1/changes/{mine.pk}/collisions/").status_code in (401, 403)
