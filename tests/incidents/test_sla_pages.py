"""SLA clocks where people work: record page card, queue badge and queues, portal promise."""

import pytest


@pytest.mark.django_db
def test_record_page_lists_every_clock(client, agent, make_incident, definitions):
    incident = make_incident()
    client.force_login(agent)
    body = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Respond in 1h" in body and "Resolve in 3 days" in body
    assert "left</span>" in body


@pytest.mark.django_db
def test_queue_rows_carry_the_nearest_target(client, agent, make_incident, definitions):
    make_incident()
    client.force_login(agent)
    body = client.get("/incidents/queues/open/").content.decode()
    assert 'title="Respond in 1h' in body


@pytest.mark.django_db
def test_breached_queue_lists_only_breached_incidents(client, agent, make_incident, definitions):
    from django.utils import timezone

    from itsm.sla.models import SLAClock

    late = make_incident(title="Late one")
    make_incident(title="Fine one")
    SLAClock.objects.filter(task_id=late.pk).update(breached_at=timezone.now())
    client.force_login(agent)
    body = client.get("/incidents/queues/breached/").content.decode()
    assert "Late one" in body and "Fine one" not in body


@pytest.mark.django_db
def test_portal_promises_a_first_answer_and_a_solution(client, requester, make_incident, definitions):
    incident = make_incident()
    client.force_login(requester)
    body = client.get(f"/incidents/my/{incident.pk}/").content.decode()
    assert "Expect a first answer by" in body and "Expect a solution by" in body


@pytest.mark.django_db
def test_record_page_shows_each_clocks_history(client, agent, make_incident, definitions):
    from incidents.choices import HoldReason
    from incidents.services import hold_incident

    incident = hold_incident(make_incident(), actor=agent, reason=HoldReason.AWAITING_CALLER)
    client.force_login(agent)
    body = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "History of “Resolve in 3 days”" in body and "Paused" in body and "Attached" in body
