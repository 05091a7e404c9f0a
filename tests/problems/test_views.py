"""Problem pages: permissions, the record page's forms, incident-side integration, query budgets."""

import pytest
from django.urls import reverse

from problems import services
from problems.models import Candidate, Problem
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(make_problem, agent, payroll):
    problem = make_problem(service=payroll)
    problem = services.update_rca(problem, actor=agent, changes={"root_cause": "Export job timeout"})
    return services.publish_workaround(problem, actor=agent, workaround="Export each department separately")


@pytest.mark.parametrize("name", ["problem:workspace", "problem:candidates", "problem:create"])
def test_requesters_never_see_problem_pages(client, requester, name):
    client.force_login(requester)
    assert client.get(reverse(name)).status_code == 403


def test_requesters_cannot_open_a_problem_or_its_suggestions(client, requester, known, make_incident):
    client.force_login(requester)
    incident = make_incident()
    assert client.get(reverse("problem:detail", args=[known.pk])).status_code == 403
    assert client.get(reverse("problem:suggestions", args=[incident.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("problem:detail", args=[known.pk])).status_code == 302


def test_queue_and_record_page(client, agent, known, make_incident, django_assert_max_num_queries):
    # given
    incidents = [make_incident() for _ in range(3)]
    services.link_incidents(known, incidents, actor=agent)
    client.force_login(agent)
    # when / then
    assert known.number in client.get(reverse("problem:workspace")).content.decode()
    with django_assert_max_num_queries(20):
        page = client.get(reverse("problem:detail", args=[known.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert all(i.number in body for i in incidents)
    assert "Known error" in body and "Export each department separately" in body


def test_record_page_queries_do_not_grow_with_incidents(
    client, agent, known, make_incident, django_assert_max_num_queries
):
    services.link_incidents(known, [make_incident() for _ in range(12)], actor=agent)
    client.force_login(agent)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("problem:detail", args=[known.pk])).status_code == 200


def test_moves_through_the_page_and_refusals_are_4xx(client, agent, make_problem):
    problem = make_problem()
    client.force_login(agent)
    url = lambda name: reverse("problem:move", args=[problem.pk, name])  # noqa: E731
    assert client.post(url("analyse")).status_code == 409
    assert client.post(url("assess")).status_code == 302
    assert client.post(url("nonsense")).status_code == 404
    assert client.post(url("analyse"), {"expected_version": "x"}).status_code == 400
    assert client.post(url("analyse"), {"expected_version": 1}).status_code == 409  # stale
    assert client.post(url("analyse")).status_code == 302
    assert client.post(url("fix")).status_code == 409  # no root cause
    assert Problem.objects.get().state == "root_cause_analysis"


def test_rca_edit_with_htmx(client, agent, make_problem):
    problem = make_problem()
    client.force_login(agent)
    url = reverse("problem:rca", args=[problem.pk])
    assert "Save analysis" in client.get(url, headers={"HX-Request": "true"}).content.decode()
    response = client.post(
        url, {"root_cause": "<b>Timeout</b>", "why_1": "slow query"}, headers={"HX-Request": "true"}
    )
    # then: the whole page reloads, so its other forms carry the new version
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert Problem.objects.get().five_whys == ["slow query"]
    page = client.get(problem.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Timeout&lt;/b&gt;" in page
    assert 'name="expected_version" value="2"' in page or 'value="2" name="expected_version"' in page


def test_create_with_incidents_and_link_and_unlink(client, agent, make_incident, team):
    incident = make_incident()
    client.force_login(agent)
    response = client.post(
        reverse("problem:create"),
        {
            "title": "Exports fail",
            "impact": 1,
            "urgency": 2,
            "assignment_group": team.pk,
            "incidents": incident.number,
        },
    )
    problem = Problem.objects.get()
    assert response.status_code == 302 and problem.priority == 2
    assert list(problem.linked_incidents()) == [incident.task_ptr]
    assert client.post(reverse("problem:create"), {"title": ""}).status_code == 400
    assert (
        client.post(reverse("problem:link-incidents", args=[problem.pk]), {"numbers": "INC404"}).status_code
        == 400
    )
    unlink = reverse("problem:unlink-incident", args=[problem.pk, incident.pk])
    assert client.post(unlink).status_code == 302
    assert not problem.linked_incidents().exists()


def test_suggestions_on_an_incident_and_one_click_link(client, agent, known, make_incident, payroll):
    incident = make_incident(title="Payroll export fails with timeout", service=payroll)
    client.force_login(agent)
    body = client.get(reverse("problem:suggestions", args=[incident.pk])).content.decode()
    assert known.number in body and "Apply workaround" in body and "data-workaround" in body
    response = client.post(reverse("problem:link-from-incident", args=[incident.pk]), {"problem": known.pk})
    assert response.status_code == 302
    assert list(known.linked_incidents()) == [incident.task_ptr]
    assert (
        client.post(reverse("problem:link-from-incident", args=[incident.pk]), {"problem": "x"}).status_code
        == 404
    )


def test_bulk_link_from_the_incident_queue(client, agent, known, make_incident):
    incidents = [make_incident() for _ in range(3)]
    client.force_login(agent)
    data = {"problem": known.number, "ids": [i.pk for i in incidents], "next": "/incidents/"}
    assert client.post(reverse("problem:bulk-link"), data).status_code == 302
    assert known.linked_incidents().count() == 3


DISK_FULL = [
    "Disk full on file server {n}",
    "file server {n} disk is full",
    "no space left: disk full on server {n}",
]


SCANNER_JAM = [
    "Scanner jams on tray {n}",
    "paper jam in the scanner, tray {n}",
    "tray {n}: scanner paper jams",
]


def test_candidates_queue_accept_and_dismiss(client, agent, manager, make_incident):
    service = ServiceFactory()
    for n in range(4):
        make_incident(title=DISK_FULL[n % 3].format(n=n), service=service)
    for n in range(4):
        make_incident(title=SCANNER_JAM[n % 3].format(n=n), service=service)
    services.propose_problems()
    first, second = Candidate.objects.order_by("pk")
    client.force_login(agent)
    assert "Accept as problem" not in client.get(reverse("problem:candidates")).content.decode()
    assert client.post(reverse("problem:decide", args=[first.pk, "accept"])).status_code == 403
    client.force_login(manager)
    assert client.post(reverse("problem:decide", args=[first.pk, "accept"])).status_code == 302
    assert (
        client.post(reverse("problem:decide", args=[second.pk, "dismiss"]), {"reason": "noise"}).status_code
        == 302
    )
    assert client.post(reverse("problem:decide", args=[second.pk, "dismiss"])).status_code == 409
    assert Problem.objects.get().linked_incidents().count() == first.size


def test_navigation_links_problems_and_candidates_for_problem_managers(client, agent, manager, requester):
    # the main navigation leads agents to the problems; the problems' own menu to the candidates
    client.force_login(agent)
    page = client.get(reverse("core:workspace")).content.decode()
    assert f'href="{reverse("problem:workspace")}"' in page
    client.force_login(manager)
    problems = client.get(reverse("problem:workspace"), follow=True).content.decode()
    assert f'href="{reverse("problem:candidates")}"' in problems
    client.force_login(requester)
    assert reverse("problem:workspace") not in client.get(reverse("portal:home")).content.decode()
