import pytest

from changes.models import Change
from itsm.core.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_seeds_changes_in_several_states_and_is_idempotent():
    seed_demo()
    states = set(Change.objects.values_list("state", flat=True))
    assert {"authorize", "scheduled", "review"} <= states
    assert Change.objects.filter(change_type="emergency", state="authorize").exists()
    waiting = Change.objects.get(title__startswith="Upgrade the ERP database")
    assert waiting.cab_date and waiting.risk_evidence["why"] and waiting.cab_plan.is_pending
    count = Change.objects.count()
    seed_demo()
    assert Change.objects.count() == count
