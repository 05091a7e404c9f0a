"""Supplier performance against a small data set computed by hand.

Support hours Mon–Fri 09–17 UTC; ACME-001 promises a response in 2h and a resolution in 8h.

  E1  INC A  ACME-001  Fri 16:00  responded Fri 16:30 (0.5h, kept)
                                  resolved Mon 12:00 (68h wall; 4 business h, kept)
  E2  INC B  ACME-001  Mon 09:00  responded Mon 12:00 (3h, missed)
                                  resolved Tue 12:00 (27h wall; 11 business h, missed)
  E3  INC A  Other Co  Mon 10:00  responded Mon 11:00 (1h); no contract: no clocks
  E4  PRB    ACME-001  Mon 09:00  withdrawn Mon 10:00: clocks cancelled, not counted

Acme Hosting: 3 engagements, 2 incidents, 2 of 4 targets kept (50.0%), mean response (0.5h + 3h) / 2
= 1h45m, mean resolution (68h + 27h) / 2 = 47h30m. Other Co: 1, 1, nothing decided, 1h, none.
"""

from datetime import timedelta

import pytest
import time_machine

from incidents.services import create_incident
from itsm.core.choices import StateCategory, TaskKind
from suppliers import selectors, services
from tests.factories import TaskFactory
from tests.suppliers.conftest import FRIDAY_4PM, MONDAY

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def engage(record, actor, at, **kwargs):
    with time_machine.travel(at, tick=False):
        return services.engage_supplier(record, actor=actor, reason="help", **kwargs)


@pytest.fixture
def data_set(requester, agent, manager, service, desk_sla, uc_contract):
    other = services.create_supplier(actor=manager, name="Other Co")
    with time_machine.travel(FRIDAY_4PM - H, tick=False):
        inc_a = create_incident(actor=requester, title="A", service=service)
        inc_b = create_incident(actor=requester, title="B", service=service)
        problem = TaskFactory(
            kind=TaskKind.PROBLEM, service=service, state="new", state_category=StateCategory.NEW
        )
    e1 = engage(inc_a, agent, FRIDAY_4PM, contract=uc_contract)
    services.move_engagement(e1, "respond", actor=agent, now=FRIDAY_4PM + H / 2)
    services.move_engagement(e1, "resolve", actor=agent, now=MONDAY + 12 * H)
    e2 = engage(inc_b, agent, MONDAY + 9 * H, contract=uc_contract)
    services.move_engagement(e2, "respond", actor=agent, now=MONDAY + 12 * H)
    services.move_engagement(e2, "resolve", actor=agent, now=MONDAY + 36 * H)
    e3 = engage(inc_a, agent, MONDAY + 10 * H, supplier=other)
    services.move_engagement(e3, "respond", actor=agent, now=MONDAY + 11 * H)
    e4 = engage(problem, agent, MONDAY + 9 * H, contract=uc_contract)
    services.move_engagement(e4, "withdraw", actor=agent, now=MONDAY + 10 * H)
    return uc_contract.supplier, other


def test_per_supplier(data_set, django_assert_max_num_queries):
    acme, other = data_set
    with django_assert_max_num_queries(2):
        figures = selectors.supplier_performance()
    assert figures[acme.pk] == selectors.Performance(
        engagements=3,
        incidents_engaged=2,
        clocks_decided=4,
        clocks_met=2,
        mean_response=timedelta(hours=1, minutes=45),
        mean_resolution=timedelta(hours=47, minutes=30),
    )
    assert figures[acme.pk].compliance_percent == 50.0
    assert figures[other.pk] == selectors.Performance(
        engagements=1, incidents_engaged=1, mean_response=H, mean_resolution=None
    )
    assert figures[other.pk].compliance_percent is None


def test_per_contract_and_period(data_set, uc_contract):
    per_contract = selectors.supplier_performance(by="contract")
    assert set(per_contract) == {uc_contract.pk}
    assert per_contract[uc_contract.pk].clocks_met == 2
    monday_only = selectors.supplier_performance(since=MONDAY, until=MONDAY + 24 * H)
    acme, _ = data_set
    assert monday_only[acme.pk].engagements == 2 and monday_only[acme.pk].clocks_decided == 2
    with pytest.raises(ValueError):
        selectors.supplier_performance(by="colour")
