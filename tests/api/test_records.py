"""What every record endpoint shares: ETags, preconditions, ?fields=, ?expand=, sync filters."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import Incident
from incidents.services import create_incident
from itsm.cmdb.models import Service
from itsm.core.models import Task, Team
from tests.factories import ServiceFactory, TeamFactory


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def incident(requester, team, agent):
    service = ServiceFactory(name="Mail")
    incident = create_incident(
        actor=agent, requester=requester, title="Mail is down", service=service, assignment_group=team
    )
    assert incident.assignment_group_id == team.pk
    return incident


@pytest.mark.django_db
class TestETags:
    def test_every_record_response_carries_its_version_as_etag(self, api_as, agent, incident):
        client = api_as(agent)
        got = client.get(f"/api/v1/incidents/{incident.pk}/")
        assert got["ETag"] == f'"{incident.version}"'
        moved = client.post(f"/api/v1/incidents/{incident.pk}/start/", HTTP_IF_MATCH=got["ETag"])
        assert moved.status_code == 200 and moved["ETag"] == f'"{incident.version + 1}"'

    def test_records_without_a_version_get_a_hash_that_changes_with_them(self, api_as, admin_user):
        team = TeamFactory(name="Network")
        client = api_as(admin_user)
        first = client.get(f"/api/v1/teams/{team.pk}/")["ETag"]
        assert first.startswith('"h') and client.get(f"/api/v1/teams/{team.pk}/")["ETag"] == first
        client.patch(f"/api/v1/teams/{team.pk}/", {"description": "Routers"}, format="json")
        assert client.get(f"/api/v1/teams/{team.pk}/")["ETag"] != first

    def test_if_none_match_gives_304_until_the_record_changes(self, api_as, agent, incident):
        client = api_as(agent)
        etag = client.get(f"/api/v1/incidents/{incident.pk}/")["ETag"]
        unchanged = client.get(f"/api/v1/incidents/{incident.pk}/", HTTP_IF_NONE_MATCH=etag)
        assert unchanged.status_code == 304 and unchanged["ETag"] == etag and not unchanged.content
        client.post(f"/api/v1/incidents/{incident.pk}/start/")
        assert client.get(f"/api/v1/incidents/{incident.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200

    def test_a_stale_if_match_on_an_update_is_412_with_the_current_record(self, api_as, agent, incident):
        client = api_as(agent)
        client.post(f"/api/v1/incidents/{incident.pk}/start/")
        response = client.patch(
            f"/api/v1/incidents/{incident.pk}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH='"1"'
        )
        error = error_of(response, 412)
        assert error["code"] == "stale_version" and error["current"]["version"] == 2
        assert error["current"]["title"] == "Mail is down" and response["ETag"] == '"2"'
        assert Incident.objects.get(pk=incident.pk).title == "Mail is down"

    def test_a_stale_if_match_on_a_transition_is_412(self, api_as, agent, incident):
        client = api_as(agent)
        client.patch(f"/api/v1/incidents/{incident.pk}/", {"title": "Mail down"}, format="json")
        error = error_of(client.post(f"/api/v1/incidents/{incident.pk}/start/", HTTP_IF_MATCH='"1"'), 412)
        assert error["current"]["state"] == "new"
        assert Incident.objects.get(pk=incident.pk).state == "new"

    def test_a_stale_hash_on_a_record_without_version_is_412(self, api_as, admin_user):
        team = TeamFactory(name="Network")
        client = api_as(admin_user)
        etag = client.get(f"/api/v1/teams/{team.pk}/")["ETag"]
        client.patch(f"/api/v1/teams/{team.pk}/", {"description": "first"}, format="json", HTTP_IF_MATCH=etag)
        error = error_of(
            client.patch(
                f"/api/v1/teams/{team.pk}/", {"description": "lost"}, format="json", HTTP_IF_MATCH=etag
            ),
            412,
        )
        assert error["current"]["description"] == "first"
        assert Team.objects.get(pk=team.pk).description == "first"

    def test_if_match_on_a_record_you_cannot_see_is_still_404(self, api_as, other_requester, incident):
        client = api_as(other_requester)
        error_of(
            client.post(f"/api/v1/incidents/{incident.pk}/cancel/", {"reason": "x"}, HTTP_IF_MATCH='"1"'), 404
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_clients_racing_with_the_same_etag_lose_no_update(requester, agent, manager, team):
    """Both read version 1 and send If-Match "1" at once: one wins, the other gets 412."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by itself")
    incident = create_incident(actor=requester, title="Race", assignment_group=team)
    barrier = threading.Barrier(2)
    results = {}

    def edit(user, title):
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        response = client.patch(
            f"/api/v1/incidents/{incident.pk}/", {"title": title}, format="json", HTTP_IF_MATCH='"1"'
        )
        results[title] = response.status_code
        connection.close()

    threads = [threading.Thread(target=edit, args=(u, t)) for u, t in ((agent, "A"), (manager, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 412]
    winner = next(title for title, code in results.items() if code == 200)
    incident.refresh_from_db()
    assert incident.title == winner and incident.version == 2


@pytest.mark.django_db
class TestShaping:
    def test_fields_limits_the_answer(self, api_as, agent, incident):
        client = api_as(agent)
        row = client.get("/api/v1/incidents/?fields=id,number,state").json()["results"][0]
        assert row == {"id": incident.pk, "number": incident.number, "state": "new"}
        one = client.get(f"/api/v1/incidents/{incident.pk}/?fields=number").json()
        assert one == {"number": incident.number}

    def test_unknown_fields_are_400_listing_the_valid_ones(self, api_as, agent, incident):
        error = error_of(api_as(agent).get("/api/v1/incidents/?fields=number,nope"), 400)
        assert error["code"] == "bad_query" and "nope" in error["message"] and "priority" in error["message"]

    def test_expand_inlines_related_objects(self, api_as, agent, incident, team):
        client = api_as(agent)
        row = client.get("/api/v1/incidents/?expand=service,assignment_group").json()["results"][0]
        assert row["service"]["name"] == "Mail" and row["assignment_group"]["name"] == team.name
        plain = client.get("/api/v1/incidents/").json()["results"][0]
        assert plain["service"] == incident.service_id

    def test_dotted_fields_select_inside_an_expanded_object(self, api_as, agent, incident):
        client = api_as(agent)
        row = client.get(f"/api/v1/incidents/{incident.pk}/?expand=service&fields=number,service.name").json()
        assert row == {"number": incident.number, "service": {"name": "Mail"}}
        error_of(client.get(f"/api/v1/incidents/{incident.pk}/?fields=service.name"), 400)

    def test_unknown_expansions_are_400(self, api_as, agent, incident):
        error = error_of(api_as(agent).get("/api/v1/incidents/?expand=title"), 400)
        assert "assignment_group" in error["message"]

    def test_expansion_respects_visibility(self, api_as, requester, agent, incident):
        """CIs are for staff: a requester's expansion leaves the id, never the CI."""
        from tests.factories import ConfigurationItemFactory

        ci = ConfigurationItemFactory(name="mx1")
        Task.objects.filter(pk=incident.pk).update(configuration_item=ci)
        row = api_as(requester).get(f"/api/v1/incidents/{incident.pk}/?expand=configuration_item").json()
        assert row["configuration_item"] == ci.pk
        staff_row = api_as(agent).get(f"/api/v1/incidents/{incident.pk}/?expand=configuration_item").json()
        assert staff_row["configuration_item"]["name"] == "mx1"

    def test_expanding_a_page_costs_a_fixed_number_of_queries(
        self, api_as, agent, requester, team, django_assert_max_num_queries
    ):
        client = api_as(agent)
        for n in range(3):
            create_incident(actor=requester, title=f"x{n}", service=ServiceFactory(), assignment_group=team)
        url = "/api/v1/incidents/?expand=service,assignment_group,assignee,requester"
        client.get(url)
        with django_assert_max_num_queries(30) as few:
            client.get(url)
        for n in range(12):
            create_incident(actor=requester, title=f"y{n}", service=ServiceFactory(), assignment_group=team)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(client.get(url).json()["results"]) == 15


@pytest.mark.django_db
class TestSync:
    def test_every_list_takes_updated_after_and_updated_before(self, api_as, agent, incident):
        client = api_as(agent)
        before = (timezone.now() - timedelta(minutes=5)).isoformat()
        after = (timezone.now() + timedelta(minutes=5)).isoformat()
        assert client.get("/api/v1/incidents/", {"updated_after": before}).json()["results"]
        assert not client.get("/api/v1/incidents/", {"updated_after": after}).json()["results"]
        assert not client.get("/api/v1/incidents/", {"updated_before": before}).json()["results"]
        assert client.get("/api/v1/services/", {"updated_after": before}).json()["results"]
        assert Service.objects.exists()

    def test_sync_filters_are_in_the_schema_of_every_list_with_a_timestamp(self, api_as, admin_user):
        from itsm.api.filters import sync_field
        from itsm.api.urls import router

        schema = api_as(admin_user).get("/api/schema/?format=json").json()
        missing = []
        for prefix, viewset, _ in router.registry:
            if not hasattr(viewset, "list") or sync_field(viewset.queryset.model) is None:
                continue
            params = {p["name"] for p in schema["paths"][f"/api/v1/{prefix}/"]["get"].get("parameters", [])}
            if not {"updated_after", "updated_before", "fields", "expand"} <= params:
                missing.append(prefix)
        assert not missing


@pytest.mark.django_db
def test_an_answer_hanging_off_a_record_carries_no_etag_of_it(api_as, agent, incident):
    """A reply is not the incident: its answer must not hand out an ETag a client would send back."""
    client = api_as(agent)
    reply = client.post(f"/api/v1/incidents/{incident.pk}/replies/", {"body": "On it", "public": True})
    assert reply.status_code == 201 and not reply.has_header("ETag")
    etag = client.get(f"/api/v1/incidents/{incident.pk}/")["ETag"]
    assert client.post(f"/api/v1/incidents/{incident.pk}/start/", HTTP_IF_MATCH=etag).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2059-11-21T08:53:05-21:54", "0001-01-01T00:00:00+05:00"])
def test_instants_with_far_offsets_are_filtered_in_utc_or_refused(api_as, agent, value):
    """PostgreSQL refuses offsets beyond ±15:59; the filter converts to UTC first (never a 500)."""
    response = api_as(agent).get("/api/v1/incidents/", {"updated_before": value})
    assert response.status_code in (200, 400), response.content
