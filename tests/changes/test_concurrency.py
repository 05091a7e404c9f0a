"""Concurrency on PostgreSQL: a cancel and a CAB decision at the same instant.

The decision locks the approval plan and then (in the change's handler) the change; the
cancel must take the locks in the same order, or the two transactions wait on each other
until PostgreSQL kills one with a deadlock error.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from changes import services
from changes.models import Change
from itsm.approvals.models import Approval, ApprovalPlan
from itsm.approvals.services import decide
from itsm.core.exceptions import TransitionNotAllowed
from tests.changes.conftest import answers_for
from tests.conftest import require_or_skip

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        require_or_skip("postgres", f"concurrent row locks need PostgreSQL, not {connection.vendor}")


def _waiting_for_the_cab(make_change, agent, questionnaire):
    change = make_change()
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 0))
    return services.request_authorization(Change.objects.get(pk=change.pk), actor=agent)


@pytest.mark.parametrize("attempt", range(3))
def test_a_cancel_and_an_approval_at_once_do_not_deadlock(
    make_change, agent, change_manager, questionnaire, normal_policy, attempt
):
    # given: a normal change waiting for the CAB, the change manager asked to approve it
    change = _waiting_for_the_cab(make_change, agent, questionnaire)
    approval = Approval.objects.select_related("approver").get(
        stage__plan__subject=change, approver=change_manager, state="requested"
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
        except TransitionNotAllowed:
            pass  # the other one won: the approval was withdrawn first
        except BaseException as error:  # a deadlock surfaces here as OperationalError
            errors.append(error)
        finally:
            connection.close()

    def cancel():
        services.cancel_change(Change.objects.get(pk=change.pk), actor=agent, reason="Superseded.")

    def approve():
        decide(approval, actor=change_manager, approve=True, comment="Fine.")

    # when: the agent cancels while the change manager approves, each on its own connection
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, [cancel, approve]))

    # then: neither failed, the change is cancelled, the plan is decided one way or the other
    assert errors == []
    assert Change.objects.get(pk=change.pk).state == "cancelled"
    plan = ApprovalPlan.objects.get(subject_id=change.pk, purpose="cab")
    assert plan.outcome in ("cancelled", "approved")
    assert not Approval.objects.filter(stage__plan=plan, state="requested").exists()
