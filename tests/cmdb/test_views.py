"""CMDB pages: who may see them, unknown ids, query budgets, escaping, the neighbourhood picture."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itsm.cmdb.choices import RelationshipKind
from itsm.cmdb.models import CIRelationship, ServiceComponent
from tests.factories import ConfigurationItemFactory, ServiceFactory, TeamFactory

XSS_PAYLOADS = Path("/work/shared/testdata/xss/payloads.json")

PAGES = ["cmdb:service-list", "cmdb:ci-list", "cmdb:service-detail", "cmdb:ci-detail"]


def _url(name: str, estate) -> str:
    if name == "cmdb:service-detail":
        return reverse(name, args=[estate["payroll"].pk])
    if name == "cmdb:ci-detail":
        return reverse(name, args=[estate["vm"].pk])
    return reverse(name)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("requester", 403), ("agent", 200), ("manager", 200), ("knowledge_manager", 200), ("admin_user", 200)],
)
def test_pages_are_for_staff(client, estate, request, page, persona, status):
    # given
    client.force_login(request.getfixturevalue(persona))

    # when
    response = client.get(_url(page, estate))

    # then
    assert response.status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, estate, page):
    response = client.get(_url(page, estate))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["cmdb:service-detail", "cmdb:ci-detail"])
@pytest.mark.parametrize("pk", [999_999, 2**63 + 5])
def test_unknown_ids_are_404(client, agent, db, name, pk):
    client.force_login(agent)

    response = client.get(reverse(name, args=[pk]))

    assert response.status_code == 404


def test_ci_page_shows_attributes_relationships_services_and_impact(client, agent, estate):
    # given
    client.force_login(agent)

    # when
    response = client.get(reverse("cmdb:ci-detail", args=[estate["app"].pk]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="row">vendor</th><td>Acme</td>' in html
    assert "depends on" in html and "pg-payroll" in html
    assert [(s.name, s.impact_depth) for s in response.context["impact"].services] == [
        ("Payroll", 1),
        ("Intranet", 2),
    ]
    assert "<svg" in html and reverse("cmdb:ci-detail", args=[estate["db"].pk]) in html


def test_service_page_shows_components_and_both_directions(client, agent, estate):
    client.force_login(agent)

    response = client.get(reverse("cmdb:service-detail", args=[estate["payroll"].pk]))

    html = response.content.decode()
    assert "payroll-app" in html
    assert "Intranet" in html  # a dependant
    assert 'class="badge badge-green"' in html  # operational, from OperationalStatus.colour


def test_service_list_counts_components_and_filters(client, agent, estate):
    # given
    client.force_login(agent)

    # when
    everything = client.get(reverse("cmdb:service-list"))
    degraded = client.get(reverse("cmdb:service-list"), {"operational_status": "degraded"})

    # then
    counts = {s.name: s.component_count for s in everything.context["page"].object_list}
    assert counts == {"Intranet": 0, "Payroll": 1}
    assert [s.name for s in degraded.context["page"].object_list] == ["Intranet"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "payroll"}, {"payroll-app", "pg-payroll", "vm-payroll"}),
        ({"ci_class": ["server", "network_device"]}, {"esx-01", "core-switch-1"}),
        ({"q": "vendor=acme"}, {"payroll-app"}),
        ({"service": "PAYROLL"}, {"payroll-app"}),
    ],
)
def test_ci_list_filters(client, agent, estate, query, expected):
    client.force_login(agent)
    if query.get("service") == "PAYROLL":
        query = {"service": estate["payroll"].pk}

    response = client.get(reverse("cmdb:ci-list"), query)

    assert {ci.name for ci in response.context["page"].object_list} == expected


def test_ci_list_filters_by_owner_team_and_environment(client, agent, estate, team):
    client.force_login(agent)

    response = client.get(reverse("cmdb:ci-list"), {"owner_team": team.pk, "environment": "production"})

    assert {ci.name for ci in response.context["page"].object_list} == {"core-switch-1", "esx-01"}


def test_a_bad_filter_value_is_shown_not_a_500(client, agent, estate):
    client.force_login(agent)

    response = client.get(reverse("cmdb:ci-list"), {"status": "exploded", "page": "x"})

    assert response.status_code == 200
    assert "These filters cannot be used" in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_htmx_requests_get_only_the_results(client, agent, estate):
    client.force_login(agent)

    response = client.get(reverse("cmdb:ci-list"), {"q": "esx"}, headers={"HX-Request": "true"})

    assert "<html" not in response.content.decode()
    assert "esx-01" in response.content.decode()


def _many_cis(count: int) -> None:
    team = TeamFactory()
    for _ in range(count):
        ConfigurationItemFactory(owner_team=team)


def _many_services(count: int) -> None:
    team = TeamFactory()
    ci = ConfigurationItemFactory()
    for _ in range(count):
        ServiceComponent.objects.create(service=ServiceFactory(owner_team=team), configuration_item=ci)


@pytest.mark.parametrize(
    ("url_name", "make"), [("cmdb:ci-list", _many_cis), ("cmdb:service-list", _many_services)]
)
def test_list_pages_cost_the_same_for_1_and_30_rows(
    client, agent, url_name, make, django_assert_max_num_queries
):
    # given one row, and the query count of its page
    client.force_login(agent)
    make(1)
    with CaptureQueriesContext(connection) as one_row:
        client.get(reverse(url_name))

    # when there are 30 rows
    make(29)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = client.get(reverse(url_name))

    # then the page costs no more
    assert len(response.context["page"].object_list) >= 30
    assert len(one_row.captured_queries) <= 10


def test_ci_detail_query_count_does_not_grow_with_neighbours(
    client, agent, db, django_assert_max_num_queries
):
    # given a CI with 30 items needing it and 30 services
    client.force_login(agent)
    hub = ConfigurationItemFactory(name="hub")
    team = TeamFactory()
    for _ in range(30):
        user = ConfigurationItemFactory(owner_team=team)
        CIRelationship.objects.create(source=user, target=hub, kind=RelationshipKind.RUNS_ON)
        ServiceComponent.objects.create(service=ServiceFactory(owner_team=team), configuration_item=user)

    # then
    with django_assert_max_num_queries(20):
        response = client.get(reverse("cmdb:ci-detail", args=[hub.pk]))
    assert response.status_code == 200
    assert len(response.context["impact"].services) == 30


def _payloads() -> list[str]:
    if not XSS_PAYLOADS.exists():
        return ["<script>window.__xss(1)</script>", '"><svg onload=window.__xss(2)>']
    return [entry["payload"] for entry in json.loads(XSS_PAYLOADS.read_text())][:60]


def test_user_text_is_escaped_in_pages_and_in_the_svg(client, agent, db):
    # given CIs named with script payloads, related to a hub, and a service and attribute too
    client.force_login(agent)
    payloads = _payloads()
    names = [f"{payload}#{index}"[:200] for index, payload in enumerate(payloads)]
    hub = ConfigurationItemFactory(name="hub", attributes={"<b>key</b>": payloads[0]})
    for name in names[:8]:  # drawn as boxes in the picture
        other = ConfigurationItemFactory(name=name, description=name)
        CIRelationship.objects.create(source=other, target=hub, kind=RelationshipKind.DEPENDS_ON)
    for name in names[8:]:
        ConfigurationItemFactory(name=name, description=name)
    ServiceComponent.objects.create(service=ServiceFactory(name=payloads[0]), configuration_item=hub)

    # when
    pages = {
        "ci detail": client.get(reverse("cmdb:ci-detail", args=[hub.pk])),
        "ci list": client.get(reverse("cmdb:ci-list"), {"page": 1}),
        "service list": client.get(reverse("cmdb:service-list")),
    }

    # then no name reaches the page verbatim: each special character is escaped
    for label, response in pages.items():
        html = response.content.decode()
        for name in [*names[:50], "<b>key</b>"]:
            if any(char in name for char in "<>\"'&"):
                assert name not in html, (label, name)
    assert "&lt;b&gt;key&lt;/b&gt;" in pages["ci detail"].content.decode()
