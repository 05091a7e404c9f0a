import pytest

from improvements.models import Initiative
from itsm.core.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_seeds_initiatives_in_several_states_and_is_idempotent():
    seed_demo()
    statuses = set(Initiative.objects.values_list("status", flat=True))
    assert statuses == {"identified", "in_progress", "realised"}
    assert Initiative.objects.get(status="in_progress").links.filter(kind="pir").exists()
    count = Initiative.objects.count()
    seed_demo()
    assert Initiative.objects.count() == count
