"""Concurrency on PostgreSQL: two agents engaging the same supplier on one incident at the same
moment make one engagement; the other is told the supplier is already engaged."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from incidents.services import create_incident
from itsm.core.exceptions import DomainError
from suppliers import services
from suppliers.models import SupplierEngagement
from tests.conftest import require_or_skip
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        require_or_skip("postgres", "SQLite serialises writers by itself")


def test_two_agents_engaging_at_once_make_one_engagement(requester, manager):
    supplier = services.create_supplier(actor=manager, name="Acme Hosting")
    incident = create_incident(actor=requester, title="Mail is down")
    agents = [UserFactory(roles=["agent"]) for _ in range(2)]
    barrier = threading.Barrier(2)

    def engage(agent) -> str:
        try:
            barrier.wait(timeout=10)
            services.engage_supplier(incident, actor=agent, supplier=supplier, reason="help")
            return "engaged"
        except DomainError as error:
            return error.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(engage, agents))
    assert outcomes == ["Acme Hosting is already engaged on this record.", "engaged"]
    assert SupplierEngagement.objects.filter(record=incident).count() == 1
