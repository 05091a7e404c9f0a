"""`/api/v1/problems/`: staff only, moves as POST actions, links, tasks; errors in the one format."""

import pytest

from problems.models import Problem

pytestmark = pytest.mark.django_db


def test_requesters_get_nothing(api_as, requester, make_problem):
    problem = make_problem()
    client = api_as(requester)
    assert client.get("/api/v1/problems/").status_code == 403
    assert client.get(f"/api/v1/problems/{problem.pk}/").status_code == 403
    assert client.post("/api/v1/problems/", {"title": "x"}, format="json").status_code == 403
    assert client.get("/api/v1/problem-candidates/").status_code == 403


def test_create_move_and_refuse(api_as, agent, team, make_incident):
    client = api_as(agent)
    created = client.post(
        "/api/v1/problems/",
        {"title": "Exports fail", "impact": 1, "urgency": 1, "assignment_group": team.pk},
        format="json",
    )
    assert created.status_code == 201 and created.json()["priority"] == 1
    pk = created.json()["id"]
    assert client.post(f"/api/v1/problems/{pk}/fix/").status_code == 409
    assert client.post(f"/api/v1/problems/{pk}/assess/").status_code == 200
    response = client.post(f"/api/v1/problems/{pk}/analyse/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412 and response.json()["error"]["code"] == "stale_version"
    assert client.post(f"/api/v1/problems/{pk}/analyse/").json()["state"] == "root_cause_analysis"
    assert client.patch(f"/api/v1/problems/{pk}/", {"state": "closed"}, format="json").status_code == 400
    rca = client.post(
        f"/api/v1/problems/{pk}/rca/", {"root_cause": "Timeout", "five_whys": ["a"]}, format="json"
    )
    assert rca.status_code == 200 and rca.json()["five_whys"] == ["a"]
    known = client.post(f"/api/v1/problems/{pk}/workaround/", {"workaround": "Split it"}, format="json")
    assert known.json()["known_error"] is True
    incident = make_incident()
    linked = client.post(
        f"/api/v1/problems/{pk}/link-incidents/", {"incidents": [incident.number, "INC1"]}, format="json"
    )
    assert [row["ok"] for row in linked.json()] == [False, True] or [row["ok"] for row in linked.json()] == [
        True,
        False,
    ]
    assert (
        client.post(
            f"/api/v1/problems/{pk}/unlink-incidents/", {"incidents": [incident.number]}, format="json"
        ).status_code
        == 200
    )
    task = client.post(f"/api/v1/problems/{pk}/tasks/", {"title": "Logs", "task_type": "rca"}, format="json")
    assert task.status_code == 201
    assert (
        client.post(
            f"/api/v1/problem-tasks/{task.json()['id']}/complete/", {"outcome": "done"}, format="json"
        ).json()["state"]
        == "done"
    )
    assert len(client.get(f"/api/v1/problems/{pk}/tasks/").json()) == 1
    assert (
        client.post(
            f"/api/v1/problems/{pk}/resolve/", {"resolution_code": "bogus"}, format="json"
        ).status_code
        == 400
    )
    assert client.get("/api/v1/problems/?known_error=true").json()["results"][0]["id"] == pk
    assert client.get("/api/v1/problems/?priority=9").status_code == 400
    assert client.get("/api/v1/problems/99999999999999999999/").status_code == 404
    assert Problem.objects.get().state == "root_cause_analysis"
