"""Two requests with one Idempotency-Key at the same instant, on two database connections.

The claims are inserts into a table unique per (user, key), each committed on its own; the
database lets exactly one win. The loser answers 409 while the winner runs, or replays the
winner's response once it finished. Either way exactly one incident exists.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from incidents.models import Incident
from itsm.api import idempotency
from itsm.api.models import ApiToken, IdempotencyKey
from tests.conftest import require_or_skip

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        require_or_skip("postgres", f"concurrent inserts need PostgreSQL, not {connection.vendor}")


@pytest.mark.parametrize("attempt", range(5))
def test_two_simultaneous_requests_with_one_key_create_once(requester, monkeypatch, attempt):
    # given: both requests reach the claim together
    _, key = ApiToken.issue(requester, "monitoring", scopes=["incidents:write"])
    barrier = threading.Barrier(2)
    original_claim = idempotency.claim

    def claim_together(*args, **kwargs):
        barrier.wait(timeout=10)
        return original_claim(*args, **kwargs)

    monkeypatch.setattr(idempotency, "claim", claim_together)

    def send(_):
        try:
            return Client().post(
                "/api/v1/incidents/",
                {"title": f"Disk full ({attempt})", "urgency": 2},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {key}",
                HTTP_IDEMPOTENCY_KEY=f"alert-{attempt}",
            )
        finally:
            connection.close()

    # when
    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(send, range(2)))

    # then: one create; the other request was told to wait or got the same answer
    statuses = sorted(response.status_code for response in responses)
    assert statuses in ([201, 409], [201, 201]), [r.content for r in responses]
    if statuses == [201, 201]:
        assert sum(response.has_header("Idempotent-Replayed") for response in responses) == 1
    assert Incident.objects.filter(title=f"Disk full ({attempt})").count() == 1
    assert IdempotencyKey.objects.get(key=f"alert-{attempt}").state == "completed"
