"""`/api/v1/incidents/`: the same services as the pages, the same visibility, versions enforced."""

import pytest

from incidents.models import Incident
from itsm.api.models import ApiToken


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.mark.django_db
class TestIncidentApi:
    def test_requester_token_creates_and_sees_only_own_incidents(
        self, api_client, requester, other_requester, make_incident
    ):
        # given
        make_incident(actor=other_requester, title="Not yours")
        _, key = ApiToken.issue(requester, "chat bot")
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        # when
        created = api_client.post(
            "/api/v1/incidents/", {"title": "Laptop will not boot", "urgency": 1}, format="json"
        )
        listed = api_client.get("/api/v1/incidents/").json()["results"]
        # then
        assert created.status_code == 201 and created["ETag"] == '"1"'
        assert created.json()["number"].startswith("INC") and created.json()["state"] == "new"
        assert [row["title"] for row in listed] == ["Laptop will not boot"]

    def test_requesters_cannot_read_others_incidents_by_id(
        self, api_as, other_requester, requester, make_incident
    ):
        incident = make_incident(actor=other_requester)
        error_of(api_as(requester).get(f"/api/v1/incidents/{incident.pk}/"), 404)

    def test_state_cannot_be_written_directly(self, api_as, agent, make_incident):
        incident = make_incident()
        error = error_of(
            api_as(agent).patch(f"/api/v1/incidents/{incident.pk}/", {"state": "closed"}, format="json"), 400
        )
        assert "state" in error["fields"]
        assert Incident.objects.get(pk=incident.pk).state == "new"

    def test_transitions_are_post_actions_checked_by_the_workflow(self, api_as, agent, make_incident):
        incident = make_incident()
        client = api_as(agent)
        assert client.post(f"/api/v1/incidents/{incident.pk}/start/").json()["state"] == "in_progress"
        error = error_of(client.post(f"/api/v1/incidents/{incident.pk}/close/"), 409)
        assert error["code"] == "transition_not_allowed"
        error = error_of(
            client.post(f"/api/v1/incidents/{incident.pk}/resolve/", {"notes": "x"}, format="json"), 400
        )
        assert "resolution_code" in error["fields"]
        body = {"resolution_code": "permanent", "notes": "Replaced the disk"}
        assert (
            client.post(f"/api/v1/incidents/{incident.pk}/resolve/", body, format="json").json()["state"]
            == "resolved"
        )

    def test_if_match_with_a_stale_version_is_refused(self, api_as, agent, make_incident):
        incident = make_incident()
        client = api_as(agent)
        client.post(f"/api/v1/incidents/{incident.pk}/start/", HTTP_IF_MATCH='"1"')
        error = error_of(
            client.patch(
                f"/api/v1/incidents/{incident.pk}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH='"1"'
            ),
            412,
        )
        assert error["code"] == "stale_version"
        assert error["current"]["version"] == 2 and error["current"]["state"] == "in_progress"
        assert Incident.objects.get(pk=incident.pk).title != "Mine"
        # An ETag that was never issued matches nothing: the same 412, with the record to retry from.
        error_of(client.post(f"/api/v1/incidents/{incident.pk}/start/", HTTP_IF_MATCH='"abc"'), 412)

    def test_requester_may_reply_but_not_resolve(self, api_as, requester, make_incident):
        incident = make_incident()
        client = api_as(requester)
        assert (
            client.post(
                f"/api/v1/incidents/{incident.pk}/replies/", {"body": "More info"}, format="json"
            ).status_code
            == 201
        )
        body = {"resolution_code": "permanent", "notes": "x"}
        assert error_of(client.post(f"/api/v1/incidents/{incident.pk}/resolve/", body, format="json"), 403)
        error = error_of(
            client.post(
                f"/api/v1/incidents/{incident.pk}/replies/", {"body": "x", "public": False}, format="json"
            ),
            403,
        )
        assert "work notes" in error["message"]

    def test_filters_and_unknown_filters(self, api_as, agent, make_incident):
        make_incident(title="High", impact=1, urgency=1)
        make_incident(title="Low", impact=3, urgency=3)
        client = api_as(agent)
        assert [r["title"] for r in client.get("/api/v1/incidents/?priority=1").json()["results"]] == ["High"]
        assert error_of(client.get("/api/v1/incidents/?colour=red"), 400)["code"] == "bad_query"

    def test_bad_input_never_500s(self, api_as, agent, make_incident):
        incident = make_incident()
        client = api_as(agent)
        for response in (
            client.post("/api/v1/incidents/", {"title": ""}, format="json"),
            client.post("/api/v1/incidents/", {"title": "x", "impact": 9, "service": 999999}, format="json"),
            client.post("/api/v1/incidents/", "not json", content_type="application/json"),
            client.post(f"/api/v1/incidents/{incident.pk}/hold/", {"reason": "bored"}, format="json"),
            client.post(f"/api/v1/incidents/{incident.pk}/assign/", {"assignee": "me"}, format="json"),
            client.post("/api/v1/incidents/abc/start/"),
        ):
            assert 400 <= response.status_code < 500, response.content
