"""start_approval / decide / cancel_approval: the rules matrix, stages in sequence, the handler."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.approvals import registry
from itsm.approvals.choices import Decision, PlanOutcome, StageState
from itsm.approvals.models import Approval, ApprovalPlan
from itsm.approvals.services import StageSpec, cancel_approval, current_plan, decide, start_approval
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from itsm.core.models import TimelineEntry
from tests.approvals.conftest import approval_of


def states(plan) -> dict[str, str]:
    return {
        a.approver.username: a.state
        for a in Approval.objects.filter(stage__plan=plan).select_related("approver")
    }


class TestStarting:
    def test_the_first_stage_asks_each_approver_through_an_approval_task(
        self, start, subject, approvers, requester
    ):
        # when
        plan = start(StageSpec("Manager", approvers[:2]), StageSpec("Finance", approvers[2:3]))
        # then: stage 1 active with one approval per approver; stage 2 waits and has none yet
        stage1, stage2 = plan.stages.order_by("position")
        assert (stage1.state, stage2.state) == (StageState.ACTIVE, StageState.WAITING)
        assert states(plan) == {"alice.approver": "requested", "bob.approver": "requested"}
        approval = approval_of(plan, approvers[0])
        assert approval.kind == TaskKind.APPROVAL and approval.number.startswith("APV")
        assert approval.title == f"Approve {subject.number}: New laptop"
        assert approval.requester == requester and approval.assignee == approvers[0]
        assert approval.state_category == StateCategory.OPEN
        assert approval.link_nonce
        assert plan.outcome == PlanOutcome.PENDING

    def test_the_subject_timeline_says_approval_was_asked_for_publicly(self, start, subject, approvers):
        start(StageSpec("Manager", approvers[:1]))
        actions = list(subject.timeline.filter(is_public=True).values_list("action", flat=True))
        assert actions == ["approval.started", "approval.stage_started"]

    def test_a_stage_without_approvers_is_a_clear_error_and_writes_nothing(self, start, approvers):
        with pytest.raises(DomainError, match="stage 2 .*no approvers"):
            start(StageSpec("Manager", approvers[:1]), StageSpec("Line manager", [None]))
        assert not ApprovalPlan.objects.exists() and not Approval.objects.exists()

    def test_a_count_outside_the_approvers_is_refused(self, start, approvers):
        with pytest.raises(DomainError, match="between 1 and 2"):
            start(StageSpec("CAB", approvers[:2], rule="count", required=3))

    def test_an_inactive_approver_is_refused(self, start, approvers):
        approvers[0].is_active = False
        approvers[0].save()
        with pytest.raises(DomainError, match="inactive"):
            start(StageSpec("Manager", approvers[:1]))

    def test_the_same_approver_twice_is_asked_once(self, start, approvers):
        plan = start(StageSpec("Manager", [approvers[0], approvers[0]]))
        assert Approval.objects.filter(stage__plan=plan).count() == 1

    def test_an_empty_plan_is_approved_at_once_and_the_handler_hears_it(self, start, handler):
        plan = start()
        assert plan.outcome == PlanOutcome.APPROVED
        assert handler.outcomes == ["approved"]

    def test_only_one_pending_plan_per_subject_and_purpose(self, start, approvers):
        start(StageSpec("Manager", approvers[:1]), purpose="fulfilment")
        with pytest.raises(TransitionNotAllowed):
            start(StageSpec("Manager", approvers[:1]), purpose="fulfilment")
        start(StageSpec("Security", approvers[1:2]), purpose="security")  # another purpose is fine

    def test_a_rejected_plan_may_be_followed_by_a_new_one(self, start, subject, approvers):
        first = start(StageSpec("Manager", approvers[:1]))
        decide(approval_of(first, approvers[0]), actor=approvers[0], approve=False, comment="No budget")
        second = start(StageSpec("Manager", approvers[:1]))
        assert current_plan(subject) == second


class TestRules:
    def test_any_first_approval_passes_and_the_others_are_no_longer_needed(self, start, approvers, handler):
        plan = start(StageSpec("Managers", approvers[:3], rule="any"))
        plan = decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=True)
        assert plan.outcome == PlanOutcome.APPROVED
        assert states(plan) == {
            "alice.approver": "cancelled",
            "bob.approver": "approved",
            "cleo.approver": "cancelled",
        }
        assert not Approval.objects.filter(stage__plan=plan).exclude(link_nonce="").exists()
        assert handler.outcomes == ["approved"]

    def test_any_a_rejection_does_not_fail_while_others_can_approve(self, start, approvers, handler):
        plan = start(StageSpec("Managers", approvers[:3], rule="any"))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=False, comment="Not me")
        decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=False, comment="Nor me")
        plan.refresh_from_db()
        assert plan.outcome == PlanOutcome.PENDING and handler.calls == []
        plan = decide(approval_of(plan, approvers[2]), actor=approvers[2], approve=False, comment="No")
        assert plan.outcome == PlanOutcome.REJECTED and handler.outcomes == ["rejected"]

    def test_all_needs_everyone_and_the_first_rejection_fails(self, start, approvers, handler):
        plan = start(StageSpec("Board", approvers[:3], rule="all"), StageSpec("Finance", approvers[3:]))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        plan = decide(
            approval_of(plan, approvers[1]), actor=approvers[1], approve=False, comment="Too expensive"
        )
        assert plan.outcome == PlanOutcome.REJECTED
        assert states(plan)["cleo.approver"] == Decision.CANCELLED
        assert list(plan.stages.order_by("position").values_list("state", flat=True)) == [
            "rejected",
            "cancelled",
        ]
        assert not Approval.objects.filter(approver=approvers[3]).exists()  # stage 2 never asked
        assert handler.outcomes == ["rejected"]

    def test_all_passes_when_everyone_approved(self, start, approvers, handler):
        plan = start(StageSpec("Board", approvers[:2], rule="all"))
        plan = decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        assert plan.outcome == PlanOutcome.PENDING
        plan = decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=True)
        assert plan.outcome == PlanOutcome.APPROVED and handler.outcomes == ["approved"]

    def test_count_passes_at_the_quorum(self, start, approvers, handler):
        plan = start(StageSpec("CAB", approvers, rule="count", required=2))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=False, comment="Risky")
        decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=True)
        plan = decide(approval_of(plan, approvers[2]), actor=approvers[2], approve=True)
        assert plan.outcome == PlanOutcome.APPROVED
        assert states(plan)["dan.approver"] == Decision.CANCELLED

    def test_count_fails_once_the_quorum_is_out_of_reach(self, start, approvers):
        plan = start(StageSpec("CAB", approvers, rule="count", required=3))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=False, comment="Risky")
        plan = decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=False, comment="Risky")
        assert plan.outcome == PlanOutcome.REJECTED  # 0 approved + 2 open < 3

    def test_majority_needs_more_than_half(self, start, approvers):
        plan = start(StageSpec("CAB", approvers, rule="majority"))
        for approver in approvers[:2]:
            plan = decide(approval_of(plan, approver), actor=approver, approve=True)
        assert plan.outcome == PlanOutcome.PENDING  # 2 of 4 is not more than half
        plan = decide(approval_of(plan, approvers[2]), actor=approvers[2], approve=True)
        assert plan.outcome == PlanOutcome.APPROVED

    def test_majority_fails_early(self, start, approvers):
        plan = start(StageSpec("CAB", approvers, rule="majority"))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=False, comment="No")
        plan = decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=False, comment="No")
        assert plan.outcome == PlanOutcome.REJECTED


class TestSequence:
    def test_stages_run_in_order_and_the_last_one_approves(self, start, approvers, handler, mailoutbox):
        plan = start(StageSpec("Manager", approvers[:1]), StageSpec("Finance", approvers[1:3], rule="all"))
        plan = decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        assert plan.outcome == PlanOutcome.PENDING
        assert states(plan) == {
            "alice.approver": "approved",
            "bob.approver": "requested",
            "cleo.approver": "requested",
        }
        assert handler.calls == []
        decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=True)
        plan = decide(approval_of(plan, approvers[2]), actor=approvers[2], approve=True)
        assert plan.outcome == PlanOutcome.APPROVED and plan.decided_at
        assert handler.outcomes == ["approved"]


class TestDeciding:
    def test_only_the_approver_decides_not_even_an_admin(self, start, approvers, admin_user, requester):
        plan = start(StageSpec("Manager", approvers[:1]))
        approval = approval_of(plan, approvers[0])
        for someone in (admin_user, requester, approvers[1]):
            with pytest.raises(PermissionDenied):
                decide(approval, actor=someone, approve=True)
        assert approval_of(plan, approvers[0]).state == Decision.REQUESTED

    def test_a_rejection_needs_a_comment(self, start, approvers):
        plan = start(StageSpec("Manager", approvers[:1]))
        with pytest.raises(ValidationError) as error:
            decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=False, comment="   ")
        assert "comment" in error.value.error_dict

    def test_deciding_twice_is_refused(self, start, approvers):
        plan = start(StageSpec("Managers", approvers[:2]))
        approval = approval_of(plan, approvers[0])
        decide(approval, actor=approvers[0], approve=False, comment="No")
        with pytest.raises(TransitionNotAllowed, match="already decided"):
            decide(approval, actor=approvers[0], approve=True)

    def test_a_no_longer_needed_approval_cannot_be_decided(self, start, approvers):
        plan = start(StageSpec("Managers", approvers[:2]))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        with pytest.raises(TransitionNotAllowed):
            decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=True)

    def test_the_decision_is_on_both_timelines_and_public(self, start, subject, approvers):
        plan = start(StageSpec("Manager", approvers[:1]))
        approval = approval_of(plan, approvers[0])
        decide(approval, actor=approvers[0], approve=False, comment="Not in this year's budget")
        entry = subject.timeline.get(action="approval.rejected")
        assert entry.is_public and entry.actor == approvers[0]
        assert "Rejected by" in entry.body and "Not in this year's budget" in entry.body
        assert approval.timeline.get(action="approval.rejected").changes == {
            "state": {"old": "requested", "new": "rejected"}
        }
        approval.refresh_from_db()
        assert (approval.comment, approval.decided_by, approval.link_nonce) == (
            "Not in this year's budget",
            approvers[0],
            "",
        )
        assert approval.state_category == StateCategory.CLOSED and approval.closed_at


class TestHandler:
    def test_the_handler_runs_once_inside_the_deciding_transaction(self, start, approvers, handler):
        plan = start(StageSpec("Managers", approvers[:2], rule="all"))
        decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        decide(approval_of(plan, approvers[1]), actor=approvers[1], approve=True)
        assert handler.calls == [(plan.pk, "approved", approvers[1].pk)]
        assert handler.in_atomic == [True]

    def test_a_failing_handler_rolls_the_decision_back(self, subject, requester, approvers):
        def explode(plan, outcome, actor):
            raise RuntimeError("fulfilment could not start")

        with registry.override(TaskKind.REQUEST_ITEM, explode):
            plan = start_approval(subject, [StageSpec("Manager", approvers[:1])], actor=requester)
            with pytest.raises(RuntimeError):
                decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        plan.refresh_from_db()
        assert plan.outcome == PlanOutcome.PENDING
        assert approval_of(plan, approvers[0]).state == Decision.REQUESTED
        assert not TimelineEntry.objects.filter(action="approval.approved").exists()

    def test_the_caller_transaction_rolls_back_the_whole_plan(self, subject, requester, approvers, handler):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            start_approval(subject, [StageSpec("Manager", approvers[:1])], actor=requester)
            1 / 0  # noqa: B018 — the caller fails after asking for approval
        assert not ApprovalPlan.objects.exists()

    def test_a_second_different_handler_for_a_kind_is_a_configuration_error(self):
        from django.core.exceptions import ImproperlyConfigured

        with registry.override("test_kind", lambda *a: None), pytest.raises(ImproperlyConfigured):
            registry.register("test_kind", lambda *a: None)


class TestCancelling:
    def test_cancelling_withdraws_open_approvals_and_tells_the_handler(
        self, start, approvers, handler, requester
    ):
        plan = start(StageSpec("Managers", approvers[:2]), StageSpec("Finance", approvers[2:3]))
        plan = cancel_approval(plan, actor=requester, reason="I no longer need it.")
        assert plan.outcome == PlanOutcome.CANCELLED
        assert set(states(plan).values()) == {Decision.CANCELLED}
        assert set(plan.stages.values_list("state", flat=True)) == {StageState.CANCELLED}
        assert handler.outcomes == ["cancelled"]
        with pytest.raises(TransitionNotAllowed):
            cancel_approval(plan, actor=requester, reason="again")

    def test_a_decided_plan_cannot_be_cancelled(self, start, approvers, requester):
        plan = start(StageSpec("Manager", approvers[:1]))
        plan = decide(approval_of(plan, approvers[0]), actor=approvers[0], approve=True)
        with pytest.raises(TransitionNotAllowed):
            cancel_approval(plan, actor=requester, reason="too late")
