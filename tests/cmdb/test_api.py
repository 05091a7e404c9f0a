"""The CMDB API: visibility per role, filters, ordering, impact, relationships through the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service
from tests.factories import ConfigurationItemFactory

SERVICES = reverse("api:service-list")
CIS = reverse("api:ci-list")
RELATIONSHIPS = reverse("api:ci-relationship-list")


def _names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_staff_list_cis_with_filters(api_as, agent, estate):
    client = api_as(agent)

    response = client.get(CIS, {"ci_class": ["server", "database"]})

    assert response.status_code == 200
    assert _names(response) == ["esx-01", "pg-payroll"]


def test_ordering_is_chosen_from_the_allowed_fields(api_as, agent, estate):
    client = api_as(agent)

    response = client.get(SERVICES, {"ordering": "-name"})
    refused = client.get(SERVICES, {"ordering": "description"})

    assert _names(response) == ["Payroll", "Intranet"]
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "bad_query"


def test_cursor_pages_cover_every_row_once(api_as, agent, db):
    # given
    for _ in range(7):
        ConfigurationItemFactory()
    client = api_as(agent)

    # when
    seen, url = [], f"{CIS}?page_size=3&ordering=ci_class"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    # then
    assert sorted(seen) == sorted(ConfigurationItem.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "query",
    [{"colour": "red"}, {"status": "exploded"}, {"owner_team": "abc"}, {"ordering": "secret"}],
)
def test_unknown_or_malformed_filters_are_400(api_as, agent, estate, query):
    response = api_as(agent).get(CIS, query)

    assert response.status_code == 400
    assert set(response.json()["error"]) >= {"status", "code", "message"}


def test_impact_lists_services_and_cis_with_depth(api_as, agent, estate):
    # when
    response = api_as(agent).get(reverse("api:ci-impact", args=[estate["vm"].pk]), {"limit": 2})

    # then
    body = response.json()
    assert response.status_code == 200
    assert [(s["name"], s["depth"]) for s in body["services"]] == [("Payroll", 2), ("Intranet", 3)]
    assert [(c["name"], c["depth"]) for c in body["cis"]] == [("payroll-app", 1), ("pg-payroll", 1)]
    assert (body["ci_total"], body["truncated"]) == (2, False)


@pytest.mark.parametrize("limit", ["0", "x", "5000"])
def test_impact_refuses_a_bad_limit(api_as, agent, estate, limit):
    response = api_as(agent).get(reverse("api:ci-impact", args=[estate["vm"].pk]), {"limit": limit})

    assert response.status_code == 400


def test_relationships_of_a_ci_both_ways(api_as, agent, estate):
    response = api_as(agent).get(reverse("api:ci-relationships", args=[estate["vm"].pk]))

    body = response.json()
    assert [(r["kind"], r["target_name"]) for r in body["outgoing"]] == [("hosted_on", "esx-01")]
    assert {r["source_name"] for r in body["incoming"]} == {"payroll-app", "pg-payroll"}
    assert (body["outgoing_total"], body["incoming_total"]) == (1, 2)


def test_relationship_list_filters_by_either_end(api_as, agent, estate):
    response = api_as(agent).get(RELATIONSHIPS, {"ci": estate["db"].pk})

    assert {(r["source_name"], r["target_name"]) for r in response.json()["results"]} == {
        ("pg-payroll", "vm-payroll"),
        ("payroll-app", "pg-payroll"),
    }


def test_admin_creates_a_relationship(api_as, admin_user, estate):
    # given
    monitor = ConfigurationItemFactory(name="monitoring")

    # when
    response = api_as(admin_user).post(
        RELATIONSHIPS,
        {"source": monitor.pk, "target": estate["app"].pk, "kind": "connects_to"},
        format="json",
    )

    # then
    assert response.status_code == 201, response.json()
    assert response.json()["created_by"] == admin_user.username
    assert CIRelationship.objects.filter(source=monitor, target=estate["app"]).exists()


def test_a_cycle_is_a_400_with_a_field_message(api_as, admin_user, estate):
    # when the switch would need the app, which (transitively) needs the switch
    response = api_as(admin_user).post(
        RELATIONSHIPS,
        {"source": estate["switch"].pk, "target": estate["app"].pk, "kind": RelationshipKind.DEPENDS_ON},
        format="json",
    )

    # then
    error = response.json()["error"]
    assert response.status_code == 400
    assert (error["status"], error["code"]) == (400, "invalid")
    assert error["message"]
    assert "cycle" in error["fields"]["target"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"source": 1, "target": 1, "kind": "runs_on"}, "target"),
        ({"source": 999999, "target": 1, "kind": "runs_on"}, "source"),
        ({"source": "x", "target": 1, "kind": "runs_on"}, "source"),
        ({"source": 1, "target": 2, "kind": "likes"}, "kind"),
        ({"target": 2, "kind": "runs_on"}, "source"),
    ],
)
def test_bad_relationships_are_400(api_as, admin_user, db, payload, field):
    ConfigurationItemFactory(id=1)
    ConfigurationItemFactory(id=2)

    response = api_as(admin_user).post(RELATIONSHIPS, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_duplicate_relationship_is_400(api_as, admin_user, estate):
    payload = {"source": estate["vm"].pk, "target": estate["host"].pk, "kind": "hosted_on"}

    response = api_as(admin_user).post(RELATIONSHIPS, payload, format="json")

    assert response.status_code == 400
    assert "already" in response.json()["error"]["fields"]["target"][0]


def test_admin_deletes_a_relationship(api_as, admin_user, estate):
    edge = CIRelationship.objects.get(source=estate["app"], target=estate["vm"])

    response = api_as(admin_user).delete(reverse("api:ci-relationship-detail", args=[edge.pk]))

    assert response.status_code == 204
    assert not CIRelationship.objects.filter(pk=edge.pk).exists()


@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_staff_who_are_not_admins_cannot_write(api_as, estate, request, persona):
    client = api_as(request.getfixturevalue(persona))
    edge = CIRelationship.objects.first()

    responses = [
        client.post(SERVICES, {"name": "New"}, format="json"),
        client.patch(
            reverse("api:service-detail", args=[estate["payroll"].pk]), {"name": "X"}, format="json"
        ),
        client.post(CIS, {"name": "new", "ci_class": "server"}, format="json"),
        client.post(RELATIONSHIPS, {"source": 1, "target": 2, "kind": "runs_on"}, format="json"),
        client.delete(reverse("api:ci-relationship-detail", args=[edge.pk])),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert responses[0].json()["error"]["status"] == 403


def test_admin_creates_and_edits_services_and_cis(api_as, admin_user, team, db):
    client = api_as(admin_user)

    service = client.post(
        SERVICES, {"name": "Telephony", "kind": "business", "owner_team_id": team.pk}, format="json"
    )
    ci = client.post(
        CIS, {"name": "pbx-01", "ci_class": "server", "attributes": {"vendor": "Avaya"}}, format="json"
    )
    edited = client.patch(
        reverse("api:ci-detail", args=[ci.json()["id"]]), {"status": "maintenance"}, format="json"
    )

    assert service.status_code == 201, service.json()
    assert service.json()["owner_team"] == {"id": team.pk, "name": team.name}
    assert ci.status_code == 201, ci.json()
    assert edited.json()["status"] == "maintenance"


@pytest.mark.parametrize("attributes", [["a"], "text", {f"k{i}": i for i in range(101)}])
def test_attributes_must_be_a_small_json_object(api_as, admin_user, db, attributes):
    response = api_as(admin_user).post(
        CIS, {"name": "x", "ci_class": "server", "attributes": attributes}, format="json"
    )

    assert response.status_code == 400
    assert "attributes" in response.json()["error"]["fields"]


def test_services_cannot_be_deleted_through_the_api(api_as, admin_user, estate):
    response = api_as(admin_user).delete(reverse("api:service-detail", args=[estate["payroll"].pk]))

    assert response.status_code == 405
    assert Service.objects.filter(pk=estate["payroll"].pk).exists()


def test_requesters_see_services_without_their_components(api_as, requester, estate):
    client = api_as(requester)

    services = client.get(SERVICES).json()["results"]

    assert [s["name"] for s in services] == ["Intranet", "Payroll"]
    assert all("components" not in s for s in services)


def test_requesters_see_no_infrastructure(api_as, requester, estate):
    client = api_as(requester)
    ci = estate["app"].pk

    assert client.get(CIS).json()["results"] == []
    assert client.get(RELATIONSHIPS).json()["results"] == []
    assert client.get(reverse("api:ci-detail", args=[ci])).status_code == 404
    assert client.get(reverse("api:ci-impact", args=[ci])).status_code == 404
    assert client.get(reverse("api:ci-relationships", args=[ci])).status_code == 404


def test_anonymous_callers_are_refused(api_client, estate):
    assert api_client.get(SERVICES).status_code in (401, 403)
    assert api_client.get(CIS).status_code in (401, 403)


def test_staff_see_components(api_as, agent, estate):
    response = api_as(agent).get(reverse("api:service-detail", args=[estate["payroll"].pk]))

    assert response.json()["components"] == [estate["app"].pk]
    assert response.json()["dependants"] == [estate["intranet"].pk]


def test_list_queries_do_not_grow_with_rows(api_as, agent, team, db, django_assert_max_num_queries):
    # given
    client = api_as(agent)
    ConfigurationItemFactory(owner_team=team)
    client.get(CIS)
    with CaptureQueriesContext(connection) as one:
        client.get(CIS)
    for _ in range(29):
        ConfigurationItemFactory(owner_team=team)

    # then
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(CIS).json()["results"]) == 30
