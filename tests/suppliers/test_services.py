"""Writing suppliers and contracts, who may, and which contracts cover a service or a CI."""

from datetime import date

import pytest

from itsm.core.exceptions import DomainError, PermissionDenied
from suppliers import services
from suppliers.models import Contract, Supplier
from tests.factories import ConfigurationItemFactory

IN_TERM = date(2026, 6, 1)


def test_agent_may_not_create_a_supplier(agent):
    with pytest.raises(PermissionDenied):
        services.create_supplier(actor=agent, name="Nope")
    assert not Supplier.objects.exists()


def test_bad_input_is_a_domain_error(manager, supplier):
    with pytest.raises(DomainError, match="end date"):
        services.create_contract(
            actor=manager,
            supplier=supplier,
            reference="X-1",
            start_date=date(2026, 5, 1),
            end_date=date(2026, 1, 2),
        )
    with pytest.raises(DomainError, match="notice date"):
        services.create_contract(
            actor=manager,
            supplier=supplier,
            reference="X-2",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 5, 1),
            notice_date=date(2026, 6, 1),
        )
    with pytest.raises(DomainError, match="Unknown field"):
        services.update_supplier(supplier, actor=manager, colour="red")
    assert not Contract.objects.exists()


def test_a_service_contract_covers_the_service(contract, service):
    assert list(services.contracts_covering(service=service, at=IN_TERM)) == [contract]


def test_a_service_contract_covers_its_cis_only_when_configured(manager, contract, ci):
    assert list(services.contracts_covering(ci=ci, at=IN_TERM)) == []
    services.update_contract(contract, actor=manager, covers_service_cis=True)
    assert list(services.contracts_covering(ci=ci, at=IN_TERM)) == [contract]
    other = ConfigurationItemFactory(name="not-a-component")
    assert list(services.contracts_covering(ci=other, at=IN_TERM)) == []


def test_a_contract_naming_the_ci_covers_it(manager, contract, ci):
    services.update_contract(contract, actor=manager, services=[], configuration_items=[ci])
    assert list(services.contracts_covering(ci=ci, at=IN_TERM)) == [contract]


def test_only_contracts_in_force_cover(contract, service):
    assert list(services.contracts_covering(service=service, at=date(2025, 12, 31))) == []
    assert list(services.contracts_covering(service=service, at=date(2027, 1, 1))) == []
    assert list(services.contracts_covering(service=service, at=date(2026, 12, 31))) == [contract]


def test_nothing_to_look_up_covers_nothing(contract):
    assert list(services.contracts_covering(at=IN_TERM)) == []


def test_visibility(requester, agent, manager, contract):
    assert not Contract.objects.visible_to(requester).exists()
    assert not Supplier.objects.visible_to(requester).exists()
    assert Contract.objects.visible_to(agent).count() == 1
    assert Supplier.objects.visible_to(manager).count() == 1


def test_demo_data_is_idempotent(django_user_model):
    from suppliers.demo import seed_demo_data

    django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
    seed_demo_data()
    seed_demo_data()
    assert Supplier.objects.count() == 3 and Contract.objects.count() == 4
