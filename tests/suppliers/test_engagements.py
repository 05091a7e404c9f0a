"""Engaging a supplier: the incident waits on hold, the engagement's underpinning clocks measure
the supplier on the contract's support hours, ending the engagement takes the incident off hold."""

from datetime import timedelta

import pytest
import time_machine

from itsm.core.exceptions import DomainError, PermissionDenied
from itsm.core.models import Task, TimelineEntry
from itsm.sla.choices import ClockStage, Target
from itsm.sla.models import SLAClock
from suppliers import services
from suppliers.models import SupplierEngagement
from tests.suppliers.conftest import FRIDAY_4PM, MONDAY


def engage(incident, agent, contract, at=FRIDAY_4PM, **extra):
    with time_machine.travel(at, tick=False):
        return services.engage_supplier(
            incident, actor=agent, contract=contract, reason="Mailbox server down", **extra
        )


def clocks_of(task) -> dict[str, SLAClock]:
    return {c.target: c for c in SLAClock.objects.filter(task=task).select_related("definition")}


def test_engaging_puts_the_incident_on_hold_awaiting_supplier(incident, agent, uc_contract):
    # when
    engagement = engage(incident, agent, uc_contract, external_reference="ACME-CASE-77")
    # then
    incident.refresh_from_db()
    assert (incident.state, incident.hold_reason) == ("on_hold", "awaiting_supplier")
    assert clocks_of(incident)[Target.RESOLUTION].stage == ClockStage.PAUSED
    assert engagement.number.startswith("SENG") and engagement.state == "opened"
    assert engagement.supplier == uc_contract.supplier and engagement.external_reference == "ACME-CASE-77"
    note = TimelineEntry.objects.get(task=incident, action="supplier.engaged")
    assert "ACME-CASE-77" in note.body and "Mailbox server down" in note.body and not note.is_public


def test_the_contracts_commitments_start_underpinning_clocks_on_its_support_hours(
    incident, agent, uc_contract
):
    engagement = engage(incident, agent, uc_contract)
    clocks = clocks_of(engagement)
    assert set(clocks) == {Target.RESPONSE, Target.RESOLUTION}
    # Friday 16:00 + 2 business hours = 1h on Friday, 1h on Monday from 09:00
    assert clocks[Target.RESPONSE].due_at == MONDAY.replace(hour=10)
    # 8 business hours: 1h Friday + 7h Monday
    assert clocks[Target.RESOLUTION].due_at == MONDAY.replace(hour=16)
    assert clocks[Target.RESPONSE].definition == uc_contract.response_definition


def test_the_desks_own_targets_never_measure_an_engagement(incident, agent, contract):
    # a contract without support hours is not measured; the desk's definition (any kind) is not used
    engagement = engage(incident, agent, contract)
    assert clocks_of(engagement) == {}


def test_supplier_response_and_resolution_stop_the_clocks(incident, agent, uc_contract):
    engagement = engage(incident, agent, uc_contract)
    # when: the supplier answers Monday 09:30 (1.5 business hours used) ...
    engagement = services.move_engagement(
        engagement, "respond", actor=agent, now=MONDAY.replace(hour=9, minute=30), external_reference="C-1"
    )
    response = clocks_of(engagement)[Target.RESPONSE]
    assert response.stage == ClockStage.MET and response.elapsed == timedelta(hours=1, minutes=30)
    assert engagement.external_reference == "C-1"
    # ... and resolves Tuesday 10:00: 1h Friday + 8h Monday + 1h Tuesday = 10h of 8h
    engagement = services.move_engagement(
        engagement, "resolve", actor=agent, now=MONDAY + timedelta(days=1, hours=10)
    )
    resolution = clocks_of(engagement)[Target.RESOLUTION]
    assert resolution.stage == ClockStage.MET and resolution.elapsed == timedelta(hours=10)
    incident.refresh_from_db()
    assert incident.state == "on_hold"  # the agent still has to end the engagement


def test_ending_the_engagement_takes_the_incident_off_hold(incident, agent, uc_contract):
    engagement = engage(incident, agent, uc_contract)
    engagement = services.move_engagement(engagement, "resolve", actor=agent)
    # when
    ended = services.end_engagement(engagement, actor=agent, note="Fixed by the supplier")
    # then
    assert ended.state == "closed"
    incident.refresh_from_db()
    assert incident.state == "in_progress" and incident.hold_reason == ""
    assert clocks_of(incident)[Target.RESOLUTION].stage == ClockStage.RUNNING
    assert TimelineEntry.objects.filter(task=incident, action="supplier.close").exists()


def test_withdrawing_cancels_the_underpinning_clocks(incident, agent, uc_contract):
    engagement = engage(incident, agent, uc_contract)
    ended = services.end_engagement(engagement, actor=agent, note="Not their fault after all")
    assert ended.state == "withdrawn"
    assert {c.stage for c in clocks_of(ended).values()} == {ClockStage.CANCELLED}


def test_the_incident_stays_on_hold_while_another_supplier_works(incident, agent, uc_contract, manager):
    other = services.create_supplier(actor=manager, name="Other Co")
    first = engage(incident, agent, uc_contract)
    engage(incident, agent, None, supplier=other)
    services.end_engagement(first, actor=agent)
    incident.refresh_from_db()
    assert incident.state == "on_hold"


def test_engaging_needs_a_covering_contract_and_a_reason(incident, agent, uc_contract, manager):
    from datetime import date

    stray = services.create_contract(
        actor=manager, supplier=uc_contract.supplier, reference="STRAY-1", start_date=date(2026, 1, 1)
    )
    with pytest.raises(DomainError, match="not in force"):
        engage(incident, agent, stray)
    with time_machine.travel(FRIDAY_4PM, tick=False), pytest.raises(DomainError, match="why"):
        services.engage_supplier(incident, actor=agent, contract=uc_contract, reason="  ")
    with pytest.raises(DomainError, match="already engaged"):
        engage(incident, agent, uc_contract)
        engage(incident, agent, uc_contract)


def test_requesters_cannot_engage_or_see_engagements(incident, agent, requester, uc_contract):
    with pytest.raises(PermissionDenied):
        engage(incident, requester, uc_contract)
    engagement = engage(incident, agent, uc_contract)
    assert not Task.objects.visible_to(requester).filter(pk=engagement.pk).exists()
    with pytest.raises(PermissionDenied):
        services.move_engagement(engagement, "respond", actor=requester)


def test_a_closed_engagement_cannot_move_again(incident, agent, uc_contract):
    from itsm.core.exceptions import TransitionNotAllowed

    engagement = services.end_engagement(engage(incident, agent, uc_contract), actor=agent)
    with pytest.raises(TransitionNotAllowed):
        services.move_engagement(engagement, "respond", actor=agent)
    assert SupplierEngagement.objects.get(pk=engagement.pk).state == "withdrawn"


def test_the_sweep_records_a_missed_supplier_response_and_tells_the_agent(incident, agent, uc_contract):
    from itsm.notifications.models import Notification
    from itsm.sla.services import sweep_due_clocks

    engagement = engage(incident, agent, uc_contract)
    # Monday 10:00 is the response due time (2 business hours from Friday 16:00)
    with time_machine.travel(MONDAY.replace(hour=10, minute=1), tick=False):
        sweep_due_clocks(MONDAY.replace(hour=10, minute=1), 100)
    response = clocks_of(engagement)[Target.RESPONSE]
    assert response.breached_at == MONDAY.replace(hour=10)
    titles = list(Notification.objects.filter(recipient=agent).values_list("title", flat=True))
    assert f"{engagement.number} breached its response target" in titles
    # the resolution clock is still running: 1h Friday + 1h Monday of 8h
    assert clocks_of(engagement)[Target.RESOLUTION].breached_at is None
