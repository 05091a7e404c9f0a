"""Incidents carry SLA clocks: attached on creation, kept in step by every incident service."""

import pytest

from incidents.choices import HoldReason, ResolutionCode
from incidents.services import add_reply, hold_incident, resolve_incident, start_incident, update_incident
from itsm.sla.choices import ClockStage, Target
from itsm.sla.models import SLAClock


def clocks(incident) -> dict[str, SLAClock]:
    return {
        clock.definition.name: clock
        for clock in SLAClock.objects.filter(task=incident).select_related("definition")
    }


@pytest.mark.django_db
def test_a_new_incident_gets_its_response_and_resolution_clocks(definitions, make_incident):
    incident = make_incident()
    assert set(clocks(incident)) == {"Respond in 1h", "Resolve in 3 days"}


@pytest.mark.django_db
def test_first_public_reply_meets_the_response_clock(definitions, make_incident, agent):
    incident = make_incident()
    add_reply(incident, actor=agent, body="On it")
    assert clocks(incident)["Respond in 1h"].stage == ClockStage.MET


@pytest.mark.django_db
def test_hold_pauses_and_start_resumes_the_resolution_clock(definitions, make_incident, agent):
    incident = start_incident(make_incident(), actor=agent)
    incident = hold_incident(incident, actor=agent, reason=HoldReason.AWAITING_CALLER)
    assert clocks(incident)["Resolve in 3 days"].stage == ClockStage.PAUSED
    start_incident(incident, actor=agent)
    assert clocks(incident)["Resolve in 3 days"].stage == ClockStage.RUNNING


@pytest.mark.django_db
def test_raising_priority_retargets_to_the_p1_definition(definitions, make_incident, agent):
    incident = update_incident(make_incident(), actor=agent, changes={"impact": 1, "urgency": 1})
    resolution = [c for c in SLAClock.objects.filter(task=incident, target=Target.RESOLUTION) if c.is_open]
    assert [c.definition.name for c in resolution] == ["P1 resolve in 4h"]


@pytest.mark.django_db
def test_resolving_stops_every_clock_as_met(definitions, make_incident, agent):
    incident = resolve_incident(
        make_incident(), actor=agent, resolution_code=ResolutionCode.DUPLICATE, notes="dup"
    )
    assert {clock.stage for clock in clocks(incident).values()} == {ClockStage.MET}
