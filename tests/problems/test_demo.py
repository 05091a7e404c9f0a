import pytest

from itsm.core.demo import seed_demo
from problems.models import Candidate, Problem

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_known_error_with_incidents_and_a_candidate():
    seed_demo()
    known = Problem.objects.get(known_error=True)
    assert known.linked_incidents().count() == 3
    assert Candidate.objects.filter(status="proposed").exists()
    seed_demo()  # idempotent
    assert Problem.objects.filter(known_error=True).count() == 1
