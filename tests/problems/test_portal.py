"""The portal home's "known issue" note for services with a published known error."""

import pytest
from django.urls import reverse

from itsm.portal.banners import KNOWN_ISSUE, MAJOR_INCIDENT, banners_for
from problems import services

pytestmark = pytest.mark.django_db


def publish(problem, agent):
    problem = services.update_rca(problem, actor=agent, changes={"root_cause": "Export job timeout is 30 s"})
    return services.publish_workaround(problem, actor=agent, workaround="Export one department at a time")


def test_a_published_known_error_shows_a_note_naming_only_the_service(
    client, requester, agent, make_problem, payroll
):
    # given
    problem = publish(make_problem(title="Internal: batch node 7 timeout", service=payroll), agent)
    # when
    client.force_login(requester)
    page = client.get(reverse("portal:home")).content.decode()
    # then: the service is named, the problem (internal) is not
    assert "Known issue with Payroll" in page
    assert problem.title not in page and problem.workaround not in page and problem.number not in page
    assert "Major incident" not in page


def test_no_note_before_the_workaround_is_published(client, requester, make_problem, payroll):
    make_problem(service=payroll)
    client.force_login(requester)
    assert "Known issue" not in client.get(reverse("portal:home")).content.decode()


def test_one_note_per_service_and_major_incidents_first(requester, agent, make_problem, payroll, monkeypatch):
    publish(make_problem(service=payroll), agent)
    publish(make_problem(title="Payroll slow too", service=payroll), agent)
    notes = [b for b in banners_for(requester) if b["kind"] == KNOWN_ISSUE]
    assert [n["service"] for n in notes] == ["Payroll"]
    kinds = [b["kind"] for b in banners_for(requester)]
    assert kinds == sorted(kinds, key=lambda kind: kind != MAJOR_INCIDENT)
