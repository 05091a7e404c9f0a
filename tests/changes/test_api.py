"""`/api/v1/changes/`: reads and filters, create, edits, transitions as POST actions, tasks,
approvals, review; errors in the shared format; requesters see nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes.models import Change
from itsm.approvals.models import Approval
from tests.changes.conftest import answers_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/changes/"


def test_agents_list_and_filter_changes(api_as, agent, make_change):
    normal = make_change()
    make_change(change_type="emergency", title="Emergency fix")
    client = api_as(agent)
    rows = client.get(URL).json()["results"]
    assert {row["number"] for row in rows} == set(Change.objects.values_list("number", flat=True))
    only = client.get(URL, {"change_type": "normal"}).json()["results"]
    assert [row["number"] for row in only] == [normal.number]
    assert client.get(URL, {"risk": "nonsense"}).status_code == 400
    assert client.get(URL, {"affected_ci": "x"}).status_code == 400


def test_requesters_see_no_changes(api_as, requester, make_change):
    change = make_change()
    client = api_as(requester)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{change.pk}/").status_code == 404
    assert client.post(URL, {"title": "x"}, format="json").status_code in (403, 400)
    assert not Change.objects.filter(title="x").exists()


def test_create_and_edit_through_the_api(api_as, agent, team, database_ci):
    client = api_as(agent)
    start = timezone.now() + timedelta(days=2)
    created = client.post(
        URL,
        {
            "title": "Rotate TLS certificates",
            "reason": "Expiry",
            "planned_start": start.isoformat(),
            "planned_end": (start + timedelta(hours=1)).isoformat(),
            "affected_cis": [database_ci.pk],
            "assignment_group": team.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "new" and body["change_type"] == "normal" and body["number"].startswith("CHG")
    edited = client.patch(
        f"{URL}{body['id']}/",
        {"title": "Rotate TLS certificates (all)"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert edited.status_code == 200 and edited.json()["title"].endswith("(all)")
    stale = client.patch(
        f"{URL}{body['id']}/", {"title": "Again"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert stale.status_code in (409, 412)
    # state is read-only: it is not a field of the update
    client.patch(f"{URL}{body['id']}/", {"state": "closed"}, format="json")
    assert Change.objects.get(pk=body["id"]).state == "new"


def test_bad_input_is_a_clear_400(api_as, agent):
    client = api_as(agent)
    response = client.post(URL, {"title": "", "change_type": "standard"}, format="json")
    assert response.status_code == 400
    start = timezone.now()
    before = (start - timedelta(hours=1)).isoformat()
    response = client.post(
        URL,
        {
            "title": "x",
            "planned_start": start.isoformat(),
            "planned_end": before,
        },
        format="json",
    )
    assert response.status_code == 400 and "planned_end" in response.content.decode()
    assert client.get(f"{URL}{2**63}/").status_code == 404


def test_the_normal_lifecycle_through_the_api(
    api_as, agent, change_manager, make_change, questionnaire, normal_policy
):
    change = make_change()
    client = api_as(agent)
    assert client.post(f"{URL}{change.pk}/request-authorization/").status_code == 409
    assert client.post(f"{URL}{change.pk}/assess/").json()["state"] == "assess"
    answers = {str(k): v for k, v in answers_for(questionnaire, 0).items()}
    risk = client.post(f"{URL}{change.pk}/risk/", {"answers": answers}, format="json")
    assert risk.status_code == 200 and risk.json()["risk"] == "low" and risk.json()["risk_evidence"]["why"]
    assert client.post(f"{URL}{change.pk}/request-authorization/").json()["state"] == "authorize"
    approvals = client.get(f"{URL}{change.pk}/approvals/").json()
    assert [a["approver"]["username"] for a in approvals] == ["carl.change", "carla.cab"]
    # the CAB decides on the platform's approvals API
    approval = Approval.objects.get(stage__plan__subject=change, approver=change_manager)
    decided = api_as(change_manager).post(f"/api/v1/approvals/{approval.pk}/approve/", {}, format="json")
    assert decided.status_code == 200
    client = api_as(agent)
    assert client.post(f"{URL}{change.pk}/schedule/", {}, format="json").json()["state"] == "scheduled"
    assert client.post(f"{URL}{change.pk}/implement/").json()["state"] == "implement"
    assert (
        client.post(f"{URL}{change.pk}/complete/", {"close_code": "bogus"}, format="json").status_code == 400
    )
    done = client.post(f"{URL}{change.pk}/complete/", {"close_code": "successful"}, format="json")
    assert done.json()["state"] == "review"
    assert client.get(f"{URL}{change.pk}/review/").status_code == 404
    assert client.post(f"{URL}{change.pk}/close/").json()["state"] == "closed"
    assert client.post(f"{URL}{change.pk}/cancel/", {"reason": "late"}, format="json").status_code == 409


def test_tasks_and_review_through_the_api(api_as, agent, template, window):
    client = api_as(agent)
    created = client.post(
        f"{URL}from-template/",
        {"template": template.pk, "planned_start": window[0].isoformat()},
        format="json",
    )
    assert created.status_code == 201 and created.json()["change_type"] == "standard"
    change_id = created.json()["id"]
    tasks = client.get(f"{URL}{change_id}/tasks/").json()
    assert [t["order"] for t in tasks] == [1, 2]
    refused = client.post(f"/api/v1/change-tasks/{tasks[1]['id']}/start/")
    assert refused.status_code == 409 and tasks[0]["number"] in refused.json()["error"]["message"]
    extra = client.post(f"{URL}{change_id}/tasks/", {"title": "Tell the desk", "order": 3}, format="json")
    assert extra.status_code == 201
    for task in [*tasks, extra.json()]:
        assert (
            client.post(f"/api/v1/change-tasks/{task['id']}/complete/", {}, format="json").status_code == 200
        )
    client.post(f"{URL}{change_id}/schedule/", {}, format="json")
    client.post(f"{URL}{change_id}/implement/")
    client.post(
        f"{URL}{change_id}/complete/", {"close_code": "failed", "notes": "Did not start"}, format="json"
    )
    assert client.post(f"{URL}{change_id}/close/").status_code == 409
    review = client.post(
        f"{URL}{change_id}/review/",
        {"findings": "Service did not start", "actions": [{"description": "Add a start check"}]},
        format="json",
    )
    assert review.status_code == 200 and review.json()["actions"][0]["description"] == "Add a start check"
    assert client.post(f"{URL}{change_id}/close/").json()["state"] == "closed"


def test_unknown_template_is_a_400(api_as, agent):
    response = api_as(agent).post(f"{URL}from-template/", {"template": 999}, format="json")
    assert response.status_code == 400 and "template" in response.content.decode()


def test_the_list_costs_the_same_for_more_changes(api_as, agent, make_change):
    make_change()
    client = api_as(agent)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(5):
        make_change()
    with CaptureQueriesContext(connection) as six:
        client.get(URL)
    assert len(six) == len(one)
