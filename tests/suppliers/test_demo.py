import pytest

from itsm.cmdb.models import ConfigurationItem
from itsm.core.demo import seed_demo
from suppliers import services
from suppliers.models import Contract

pytestmark = pytest.mark.django_db


def test_demo_contracts_are_measured_and_one_has_expired():
    seed_demo()
    measured = Contract.objects.get(reference="CT-HW-55812")
    assert measured.support_hours is not None and measured.response_definition.active
    esx = ConfigurationItem.objects.get(name="esx-01")
    assert [c.reference for c in services.expired_contracts_covering(ci=esx)] == ["CT-HW-41007"]
    assert [c.reference for c in services.contracts_covering(ci=esx)] == ["CT-HW-55812", "NW-MS-2024-07"]
    seed_demo()  # idempotent
    assert Contract.objects.count() == 4
