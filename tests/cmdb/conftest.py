"""Fixtures for the CMDB tests: a small estate with a known shape."""

import pytest

from itsm.cmdb.choices import CIClass, OperationalStatus, RelationshipKind, ServiceKind
from itsm.cmdb.models import CIRelationship, ServiceComponent, ServiceDependency
from tests.factories import ConfigurationItemFactory, ServiceFactory


@pytest.fixture
def estate(db, team):
    """switch <- host <- vm <- db <- app, app delivers "Payroll", which "Intranet" depends on.

    Returned as a dict of the objects by role name.
    """
    switch = ConfigurationItemFactory(name="core-switch-1", ci_class=CIClass.NETWORK_DEVICE, owner_team=team)
    host = ConfigurationItemFactory(name="esx-01", ci_class=CIClass.SERVER, owner_team=team)
    vm = ConfigurationItemFactory(name="vm-payroll", ci_class=CIClass.VIRTUAL_MACHINE)
    database = ConfigurationItemFactory(name="pg-payroll", ci_class=CIClass.DATABASE)
    app = ConfigurationItemFactory(
        name="payroll-app", ci_class=CIClass.APPLICATION, attributes={"version": "4.2", "vendor": "Acme"}
    )
    edges = [
        (host, switch, RelationshipKind.CONNECTS_TO),
        (vm, host, RelationshipKind.HOSTED_ON),
        (database, vm, RelationshipKind.RUNS_ON),
        (app, database, RelationshipKind.DEPENDS_ON),
        (app, vm, RelationshipKind.RUNS_ON),
    ]
    CIRelationship.objects.bulk_create(CIRelationship(source=s, target=t, kind=k) for s, t, k in edges)
    payroll = ServiceFactory(name="Payroll", owner_team=team, kind=ServiceKind.BUSINESS)
    intranet = ServiceFactory(
        name="Intranet", kind=ServiceKind.BUSINESS, operational_status=OperationalStatus.DEGRADED
    )
    ServiceComponent.objects.create(service=payroll, configuration_item=app)
    ServiceDependency.objects.create(service=intranet, depends_on=payroll)
    return {
        "switch": switch,
        "host": host,
        "vm": vm,
        "db": database,
        "app": app,
        "payroll": payroll,
        "intranet": intranet,
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Persona fixtures hash a password each; the CMDB tests do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
