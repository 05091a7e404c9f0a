"""The demo data: every role can sign in, and running it twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.demo import DEMO_PASSWORD, PEOPLE
from itsm.core.models import Task, Team
from itsm.core.roles import landing_surface


def counts() -> dict[str, int]:
    models = {
        "users": get_user_model(),
        "teams": Team,
        "services": Service,
        "cis": ConfigurationItem,
        "tasks": Task,
    }
    return {name: model.objects.count() for name, model in models.items()}


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_alive():
    # when
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    # then
    assert counts() == first
    assert first["services"] >= 8 and first["cis"] >= 30 and first["tasks"] >= 5


@pytest.mark.django_db
def test_every_demo_login_works_and_lands_on_its_surface():
    call_command("seed_demo")
    expected = {"requester": "portal", "agent": "workspace", "manager": "dashboards", "admin": "workspace"}
    for person in PEOPLE[:6]:
        user = get_user_model().objects.get(username=person.username)
        assert user.check_password(DEMO_PASSWORD)
        if person.username in expected:
            assert landing_surface(user) == expected[person.username]


@pytest.mark.django_db
def test_a_fresh_demo_has_its_dashboard_figures_at_once():
    """The rollups are built after every app has seeded, not left to the first beat refresh."""
    from catalog.rollups import freshness as request_rollups
    from itsm.dashboards.models import IncidentDay
    from itsm.dashboards.rollups import freshness as overview_rollups

    call_command("seed_demo")

    assert overview_rollups() is not None and overview_rollups().refreshed_at is not None
    assert IncidentDay.objects.exists()
    assert request_rollups() is not None and request_rollups().refreshed_at is not None
