"""Fixtures of the supplier practice: a supplier with a contract on a service and one of its CIs."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from incidents.services import create_incident, start_incident
from itsm.cmdb.models import ServiceComponent
from itsm.sla.choices import Target
from itsm.sla.models import SLADefinition
from itsm.sla.services import create_calendar
from itsm.sla.services.calendars import full_day_windows
from suppliers import services
from tests.factories import ConfigurationItemFactory, ServiceFactory

FRIDAY_4PM = datetime(2026, 6, 5, 16, 0, tzinfo=UTC)  # in the contract's term
MONDAY = datetime(2026, 6, 8, tzinfo=UTC)


@pytest.fixture
def service(db):
    return ServiceFactory(name="E-mail")


@pytest.fixture
def ci(service):
    item = ConfigurationItemFactory(name="mail-01")
    ServiceComponent.objects.create(service=service, configuration_item=item)
    return item


@pytest.fixture
def supplier(manager):
    return services.create_supplier(
        actor=manager, name="Acme Hosting", escalation_email="noc@acme.example", escalation_phone="+4420"
    )


@pytest.fixture
def contract(manager, supplier, service):
    return services.create_contract(
        actor=manager,
        supplier=supplier,
        reference="ACME-001",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        notice_date=date(2026, 10, 1),
        value="12000.00",
        response_time=timedelta(hours=1),
        resolution_time=timedelta(hours=8),
        owner=manager,
        services=[service],
    )


@pytest.fixture
def support_hours(db):
    """Mon–Fri 09:00–17:00 UTC."""
    windows = [{"weekday": day, "start": time(9), "end": time(17)} for day in range(5)]
    return create_calendar(name="Supplier office hours", time_zone="UTC", windows=windows)


@pytest.fixture
def uc_contract(contract, manager, support_hours):
    return services.update_contract(
        contract,
        actor=manager,
        support_hours=support_hours,
        response_time=timedelta(hours=2),
        resolution_time=timedelta(hours=8),
    )


@pytest.fixture
def desk_sla(db):
    """The desk's own incident target, paused while the incident is pending."""
    calendar = create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
    return SLADefinition.objects.create(
        name="Incident: resolve in 3 days",
        target=Target.RESOLUTION,
        duration=timedelta(days=3),
        calendar=calendar,
        pause_on=["pending"],
        precedence=200,
    )


@pytest.fixture
def incident(requester, agent, service, desk_sla):
    with time_machine.travel(FRIDAY_4PM - timedelta(hours=1), tick=False):
        raised = create_incident(actor=requester, title="Mail is down", service=service)
        return start_incident(raised, actor=agent)
