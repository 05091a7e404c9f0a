"""Fixtures of the supplier practice: a supplier with a contract on a service and one of its CIs."""

from datetime import date, timedelta

import pytest

from itsm.cmdb.models import ServiceComponent
from suppliers import services
from tests.factories import ConfigurationItemFactory, ServiceFactory


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
