"""Concurrency on PostgreSQL: approvers deciding at the same instant are applied one after the
other (the plan row is locked first), so the plan is decided and its handler called exactly once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from itsm.approvals.choices import PlanOutcome
from itsm.approvals.models import Approval
from itsm.approvals.services import StageSpec, decide, start_approval
from tests.conftest import require_or_skip

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        require_or_skip("postgres", f"concurrent row locks need PostgreSQL, not {connection.vendor}")


@pytest.mark.parametrize(
    ("rule", "approve", "outcome"), [("all", True, "approved"), ("any", False, "rejected")]
)
def test_simultaneous_decisions_decide_the_plan_once(
    subject, requester, approvers, handler, rule, approve, outcome
):
    # given: four approvers; "all" passes only with the last approval, "any" fails only with the last no
    plan = start_approval(subject, [StageSpec("CAB", approvers, rule=rule)], actor=requester)
    approvals = list(Approval.objects.filter(stage__plan=plan).select_related("approver"))
    barrier = threading.Barrier(len(approvals))

    def one(approval):
        try:
            barrier.wait(timeout=10)
            decide(approval, actor=approval.approver, approve=approve, comment="at once")
        finally:
            connection.close()

    # when: everyone decides at the same instant, each on its own connection
    with ThreadPoolExecutor(len(approvals)) as pool:
        list(pool.map(one, approvals))

    # then
    plan.refresh_from_db()
    assert plan.outcome == outcome
    assert handler.outcomes == [outcome]
    assert Approval.objects.filter(stage__plan=plan, state="requested").count() == 0
    assert plan.outcome != PlanOutcome.PENDING
