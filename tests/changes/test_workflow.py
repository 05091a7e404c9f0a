"""The change lifecycle through the services: every type's path, every refusal."""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError

from changes import services
from changes.choices import ChangeType, CloseCode
from changes.models import Change
from changes.workflow import CHANGE_WORKFLOW
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.core.exceptions import PermissionDenied, TransitionNotAllowed
from itsm.core.models import TimelineEntry
from tests.changes.conftest import answers_for

pytestmark = pytest.mark.django_db


def approve_all(change, approver):
    for approval in Approval.objects.filter(
        stage__plan__subject=change, approver=approver, state="requested"
    ):
        decide(approval, actor=approver, approve=True)


def fresh(change) -> Change:
    return Change.objects.get(pk=change.pk)


def to_authorize(change, agent, questionnaire):
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 0))
    return services.request_authorization(change, actor=agent)


def test_a_normal_change_goes_through_assessment_and_the_cab(
    make_change, agent, change_manager, questionnaire, normal_policy
):
    # given
    change = make_change()
    assert change.number.startswith("CHG") and change.state == "new"
    # when
    change = to_authorize(change, agent, questionnaire)
    # then
    assert change.state == "authorize" and change.state_category == "pending"
    assert Approval.objects.filter(stage__plan__subject=change, approver=change_manager).exists()
    # and: the raiser is never asked to authorize their own change
    assert not Approval.objects.filter(stage__plan__subject=change, approver=agent).exists()
    # when: the CAB approves
    approve_all(change, change_manager)
    change = fresh(change)
    assert change.state == "authorize" and change.cab_approved
    # then: it can be scheduled, implemented, completed and closed
    services.schedule_change(change, actor=agent)
    services.implement_change(fresh(change), actor=agent)
    services.complete_change(fresh(change), actor=agent, close_code=CloseCode.SUCCESSFUL)
    change = services.close_change(fresh(change), actor=agent)
    assert change.state == "closed" and change.closed_at and change.actual_start and change.actual_end
    actions = list(TimelineEntry.objects.filter(task=change).values_list("action", flat=True))
    for action in (
        "change.created",
        "change.assess",
        "change.request_authorization",
        "change.schedule",
        "change.implement",
        "change.complete",
        "change.close",
        "approval.plan_approved",
    ):
        assert action in actions


def test_a_cab_rejection_sends_the_change_back_to_assessment(
    make_change, agent, change_manager, questionnaire, normal_policy
):
    change = to_authorize(make_change(), agent, questionnaire)
    for approval in Approval.objects.filter(stage__plan__subject=change).order_by("pk"):
        decide(approval, actor=approval.approver, approve=False, comment="Not during the payroll run.")
    change = fresh(change)
    assert change.state == "assess"
    # and: it can be reworked and asked again
    change = services.request_authorization(change, actor=agent)
    assert change.state == "authorize"


def test_an_emergency_change_skips_assessment_and_goes_to_the_emergency_cab(
    make_change, agent, change_manager, emergency_policy, normal_policy
):
    change = make_change(change_type=ChangeType.EMERGENCY)
    change = services.request_authorization(change, actor=agent)
    assert change.state == "authorize"
    assert change.cab_plan.stages.get().name == "ECAB"
    approve_all(change, change_manager)
    services.schedule_change(fresh(change), actor=agent)
    services.implement_change(fresh(change), actor=agent)
    change = services.complete_change(fresh(change), actor=agent, close_code=CloseCode.SUCCESSFUL)
    # then: an emergency change is reviewed before it closes
    assert change.pir_required
    with pytest.raises(TransitionNotAllowed, match="post-implementation review"):
        services.close_change(change, actor=agent)
    services.record_review(change, actor=agent, findings="Went fine; the outage was avoided.")
    assert services.close_change(fresh(change), actor=agent).state == "closed"


def test_an_emergency_change_without_an_emergency_policy_is_refused(make_change, agent, normal_policy):
    change = make_change(change_type=ChangeType.EMERGENCY)
    with pytest.raises(Exception, match="No emergency CAB policy"):
        services.request_authorization(change, actor=agent)
    assert fresh(change).state == "new"


def test_a_standard_change_from_a_template_is_scheduled_without_the_cab(template, agent, window):
    change = services.create_from_template(template, actor=agent, planned_start=window[0])
    assert change.change_type == "standard" and change.planned_end == window[0] + template.duration
    assert [t.title for t in change.change_tasks.all()] == ["Restart", "Check the export ran"]
    with pytest.raises(TransitionNotAllowed):
        services.assess_change(change, actor=agent)
    with pytest.raises(TransitionNotAllowed):
        services.request_authorization(change, actor=agent)
    change = services.schedule_change(change, actor=agent)
    assert change.state == "scheduled" and change.cab_plan is None


def test_a_standard_change_cannot_be_raised_by_hand(make_change):
    with pytest.raises(ValidationError, match="template"):
        make_change(change_type=ChangeType.STANDARD)


@pytest.mark.parametrize(
    ("state", "move"),
    [
        ("new", "implement"),
        ("new", "complete"),
        ("new", "close"),
        ("new", "schedule"),
        ("assess", "schedule"),
        ("assess", "close"),
        ("scheduled", "request_authorization"),
        ("implement", "cancel"),
        ("review", "implement"),
        ("closed", "cancel"),
        ("cancelled", "assess"),
    ],
)
def test_moves_not_allowed_from_a_state_are_refused(make_change, agent, state, move):
    change = make_change()
    Change.objects.filter(pk=change.pk).update(state=state, state_category=CHANGE_WORKFLOW.category_of(state))
    kwargs = {"reason": "x"} if move == "cancel" else {}
    kwargs.update({"close_code": CloseCode.SUCCESSFUL} if move == "complete" else {})
    with pytest.raises(TransitionNotAllowed):
        services.MOVES[move](fresh(change), actor=agent, **kwargs)
    assert fresh(change).state == state


def test_a_normal_change_goes_from_new_to_the_cab_only_through_assessment(make_change, agent):
    with pytest.raises(TransitionNotAllowed, match="assess this change first"):
        services.request_authorization(make_change(), actor=agent)


def test_authorization_needs_plans_window_and_risk(make_change, agent, questionnaire, normal_policy):
    change = make_change(backout_plan="", planned_start=None, planned_end=None)
    services.assess_change(change, actor=agent)
    with pytest.raises(TransitionNotAllowed, match="back-out plan"):
        services.request_authorization(change, actor=agent)
    services.update_change(change, actor=agent, changes={"backout_plan": "Restore the snapshot."})
    with pytest.raises(TransitionNotAllowed, match="planned start"):
        services.request_authorization(fresh(change), actor=agent)
    start = fresh(change).opened_at + timedelta(days=5)
    services.update_change(
        fresh(change),
        actor=agent,
        changes={"planned_start": start, "planned_end": start + timedelta(hours=1)},
    )
    with pytest.raises(TransitionNotAllowed, match="risk"):
        services.request_authorization(fresh(change), actor=agent)


def test_scheduling_before_the_cab_decided_is_refused(make_change, agent, questionnaire, normal_policy):
    change = to_authorize(make_change(), agent, questionnaire)
    with pytest.raises(TransitionNotAllowed, match="not authorized"):
        services.schedule_change(change, actor=agent)


def test_completing_needs_a_close_code_and_notes_unless_successful(make_change, agent, template, window):
    change = services.create_from_template(template, actor=agent, planned_start=window[0])
    services.schedule_change(change, actor=agent)
    services.implement_change(fresh(change), actor=agent)
    with pytest.raises(TransitionNotAllowed, match="close code"):
        services.complete_change(fresh(change), actor=agent, close_code="")
    for task in fresh(change).change_tasks.all():
        services.move_change_task(task, "complete", actor=agent)
    with pytest.raises(TransitionNotAllowed, match="close notes"):
        services.complete_change(fresh(change), actor=agent, close_code=CloseCode.FAILED)
    change = services.complete_change(
        fresh(change), actor=agent, close_code=CloseCode.FAILED, notes="Timeout."
    )
    # then: a failed change needs a review
    assert change.pir_required


def test_completing_waits_for_open_change_tasks(template, agent, window):
    change = services.create_from_template(template, actor=agent, planned_start=window[0])
    services.schedule_change(change, actor=agent)
    services.implement_change(fresh(change), actor=agent)
    with pytest.raises(TransitionNotAllowed, match="open change tasks"):
        services.complete_change(fresh(change), actor=agent, close_code=CloseCode.SUCCESSFUL)


def test_ordered_tasks_wait_for_earlier_ones(template, agent, window):
    change = services.create_from_template(template, actor=agent, planned_start=window[0])
    first, second = change.change_tasks.all()
    with pytest.raises(TransitionNotAllowed, match=first.number):
        services.move_change_task(second, "start", actor=agent)
    services.move_change_task(first, "complete", actor=agent)
    assert services.move_change_task(second, "start", actor=agent).state == "in_progress"
    with pytest.raises(TransitionNotAllowed, match="why"):
        services.move_change_task(second, "skip", actor=agent)


def test_cancelling_withdraws_the_cab_approvals_and_skips_tasks(
    make_change, agent, change_manager, questionnaire, normal_policy
):
    change = to_authorize(make_change(), agent, questionnaire)
    services.create_change_task(change, actor=agent, title="Take a snapshot")
    with pytest.raises(TransitionNotAllowed, match="why"):
        services.cancel_change(change, actor=agent, reason="  ")
    change = services.cancel_change(fresh(change), actor=agent, reason="Superseded by CHG-next.")
    assert change.state == "cancelled" and change.cab_plan.outcome == "cancelled"
    assert not Approval.objects.filter(stage__plan__subject=change, state="requested").exists()
    assert {t.state for t in change.change_tasks.all()} == {"skipped"}


def test_only_a_change_manager_sends_a_change_back_for_rework(
    make_change, agent, change_manager, questionnaire, normal_policy
):
    change = to_authorize(make_change(), agent, questionnaire)
    with pytest.raises(PermissionDenied):
        services.rework_change(change, actor=agent, reason="More detail")
    change = services.rework_change(change, actor=change_manager, reason="Add the DBA to the plan.")
    assert change.state == "assess" and change.cab_plan.outcome == "cancelled"


def test_requesters_cannot_raise_or_move_changes(make_change, requester):
    with pytest.raises(PermissionDenied):
        make_change(actor=requester)


def test_plan_fields_are_frozen_once_at_the_cab(make_change, agent, questionnaire, normal_policy):
    change = to_authorize(make_change(), agent, questionnaire)
    with pytest.raises(ValidationError, match="rework"):
        services.update_change(change, actor=agent, changes={"implementation_plan": "Something else"})
    change = services.update_change(change, actor=agent, changes={"title": "Upgrade payroll DB"})
    assert change.title == "Upgrade payroll DB"


def blackout_over(start, *, hours=4, actor=None):
    """A one-off, global blackout window starting at `start` (UTC)."""
    from itsm.maintenance.services import create_window

    return create_window(
        actor=actor,
        name="Quarter-end freeze",
        kind="blackout",
        applies_to_all=True,
        time_zone="UTC",
        starts_on=start.astimezone(UTC).date(),
        start_time=start.astimezone(UTC).time().replace(second=0, microsecond=0),
        duration_minutes=hours * 60,
    )


def test_a_change_in_a_blackout_needs_a_change_managers_recorded_override(
    template, agent, change_manager, window
):
    # given: a standard change planned into a blackout window
    blackout_over(window[0] - timedelta(hours=1))
    change = services.create_from_template(template, actor=agent, planned_start=window[0])
    # when/then: nobody schedules it without an override reason
    with pytest.raises(TransitionNotAllowed, match="Quarter-end freeze"):
        services.schedule_change(change, actor=agent)
    # and: an agent cannot override
    with pytest.raises(PermissionDenied):
        services.schedule_change(fresh(change), actor=agent, override_reason="Urgent")
    assert fresh(change).state == "new"
    # when: the change manager overrides with a reason
    change = services.schedule_change(
        fresh(change), actor=change_manager, override_reason="Security fix, CISO ok"
    )
    # then: the override is recorded on the change and its timeline
    assert change.state == "scheduled"
    assert change.blackout_override_by == change_manager and change.blackout_override_at
    assert change.blackout_override_reason == "Security fix, CISO ok"
    assert TimelineEntry.objects.filter(task=change, action="change.blackout_overridden").exists()


def test_a_change_outside_blackouts_is_scheduled_without_override(template, agent, window):
    blackout_over(window[0] + timedelta(days=2))
    change = services.schedule_change(
        services.create_from_template(template, actor=agent, planned_start=window[0]), actor=agent
    )
    assert change.state == "scheduled" and not change.blackout_override_reason
