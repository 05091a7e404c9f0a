"""The demo estate: believable, idempotent, tolerant of missing teams."""

from itsm.cmdb import impact
from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.demo import seed_cmdb
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent, ServiceDependency
from tests.factories import TeamFactory


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Service, ConfigurationItem, CIRelationship, ServiceComponent, ServiceDependency)
    )


def test_seeding_twice_creates_nothing_twice(db):
    # given
    teams = {
        key: TeamFactory(name=key.title()) for key in ["service-desk", "network", "platform", "applications"]
    }

    # when
    seed_cmdb(teams)
    first = _counts()
    seed_cmdb(teams)

    # then
    assert _counts() == first
    services, cis, relationships, _components, _dependencies = first
    assert 8 <= services <= 12 and 35 <= cis <= 50 and relationships > cis
    assert Service.objects.filter(operational_status=OperationalStatus.DEGRADED).exists()
    assert Service.objects.get(name="Corporate network").owner_team == teams["network"]


def test_missing_teams_are_tolerated(db):
    seed_cmdb({"network": TeamFactory(name="Network")})

    assert Service.objects.get(name="CRM").owner_team is None


def test_a_core_switch_takes_down_most_services(db):
    # given
    seed_cmdb({})
    switch = ConfigurationItem.objects.get(name="core-sw-01")

    # when
    affected = {service.name for service in impact.affected_services(switch)}

    # then
    assert {"E-mail", "ERP & Payroll", "CRM", "HR portal", "Identity & SSO"} <= affected
