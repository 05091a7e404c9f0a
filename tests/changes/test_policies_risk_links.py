"""CAB policies and stages, risk from the questionnaire and history, PIR rules, links to problems,
incidents and catalog items."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes import services
from changes.choices import ChangeType, CloseCode, RiskLevel
from changes.models import CABPolicy, CABStage, Change
from itsm.approvals.choices import StageRule
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.core.exceptions import DomainError, TransitionNotAllowed
from itsm.core.models import TaskLink, TimelineEntry
from tests.changes.conftest import answers_for
from tests.factories import ConfigurationItemFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def fresh(change) -> Change:
    return Change.objects.get(pk=change.pk)


def closed_change(make_change, agent, *, close_code, ended_at, **fields):
    """A change on the same CI, implemented at `ended_at` and completed with `close_code` (rows set
    directly: the history only reads them)."""
    change = make_change(**fields)
    Change.objects.filter(pk=change.pk).update(
        state="closed",
        state_category="closed",
        close_code=close_code,
        actual_start=ended_at - timedelta(hours=1),
        actual_end=ended_at,
    )
    return fresh(change)


# --- risk ---------------------------------------------------------------------------------


def test_risk_from_the_questionnaire_alone(make_change, agent, questionnaire):
    change = make_change()
    low = services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 0))
    assert (low.risk, low.risk_score) == (RiskLevel.LOW, 0)
    high = services.assess_risk(fresh(change), actor=agent, answers=answers_for(questionnaire, 2))
    assert (high.risk, high.risk_score) == (RiskLevel.HIGH, 60)  # 100 × 0.6: history is clean
    assert high.risk_evidence["questionnaire"]["answers"][0]["weight"] == 10
    assert TimelineEntry.objects.filter(task=change, action="change.risk_assessed").exists()


def test_history_of_failures_and_caused_incidents_raises_the_risk(
    make_change, agent, requester, questionnaire
):
    # given: three earlier changes on the same CI — one backed out, one followed by an incident
    # within 72 h, one fine — and an incident 5 days after another one (not counted)
    now = timezone.now()
    closed_change(make_change, agent, close_code=CloseCode.BACKED_OUT, ended_at=now - timedelta(days=30))
    caused = closed_change(
        make_change, agent, close_code=CloseCode.SUCCESSFUL, ended_at=now - timedelta(days=20)
    )
    late = closed_change(
        make_change, agent, close_code=CloseCode.SUCCESSFUL, ended_at=now - timedelta(days=10)
    )
    import incidents.services as incident_services

    soon = incident_services.create_incident(actor=requester, title="Payroll export fails")
    later = incident_services.create_incident(actor=requester, title="Payroll slow")
    from itsm.core.models import Task

    Task.objects.filter(pk=soon.pk).update(opened_at=caused.actual_end + timedelta(hours=5))
    Task.objects.filter(pk=later.pk).update(opened_at=late.actual_end + timedelta(days=5))
    services.link_caused_incident(caused, actor=agent, number=soon.number)
    services.link_caused_incident(late, actor=agent, number=later.number)
    # and: a failure on an unrelated CI, which does not count
    other = ConfigurationItemFactory(name="unrelated-01")
    closed_change(
        make_change,
        agent,
        close_code=CloseCode.FAILED,
        ended_at=now - timedelta(days=5),
        affected_cis=[other],
        affected_services=[],
    )
    # when
    change = services.assess_risk(make_change(), actor=agent, answers=answers_for(questionnaire, 0))
    # then: 2 of 3 earlier changes were troubled → history 67; 0.4 × 67 = 27 → moderate
    history = change.risk_evidence["history"]
    assert history["changes"] == 3
    assert [row["close_code"] for row in history["failed"]] == ["backed_out"]
    assert history["incidents"] == [{"incident": soon.number, "change": caused.number}]
    assert history["score"] == 67 and change.risk_score == 27 and change.risk == RiskLevel.MODERATE


def test_a_short_history_counts_in_proportion(make_change, agent, questionnaire):
    closed_change(
        make_change, agent, close_code=CloseCode.FAILED, ended_at=timezone.now() - timedelta(days=3)
    )
    change = services.assess_risk(make_change(), actor=agent, answers=answers_for(questionnaire, 0))
    assert change.risk_evidence["history"]["score"] == 33  # 1 of 1 failed, damped by 1/3


def test_risk_answers_must_cover_every_question(make_change, agent, questionnaire):
    from django.core.exceptions import ValidationError

    answers = answers_for(questionnaire, 0)
    answers.pop(questionnaire[1].pk)
    with pytest.raises(ValidationError, match="Answer"):
        services.assess_risk(make_change(), actor=agent, answers=answers)
    wrong = answers_for(questionnaire, 0)
    wrong[questionnaire[0].pk] = questionnaire[1].answers.first().pk  # another question's answer
    with pytest.raises(ValidationError):
        services.assess_risk(make_change(), actor=agent, answers=wrong)


# --- CAB policies -------------------------------------------------------------------------


@pytest.fixture
def three_members():
    return [UserFactory(username=f"cab{n}", roles=["agent"]) for n in range(3)]


def test_high_risk_goes_to_a_stricter_two_stage_policy(
    make_change, agent, change_manager, questionnaire, normal_policy, three_members
):
    board = TeamFactory(name="Big CAB")
    board.members.add(*three_members)
    signoff = TeamFactory(name="Sign-off")
    signoff.members.add(change_manager)
    strict = CABPolicy.objects.create(
        name="High risk", change_type=ChangeType.NORMAL, order=1, min_risk=RiskLevel.HIGH
    )
    CABStage.objects.create(policy=strict, order=1, name="Majority", group=board, rule=StageRule.MAJORITY)
    CABStage.objects.create(policy=strict, order=2, name="Sign-off", group=signoff, rule=StageRule.ANY)
    change = make_change()
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 2))
    Change.objects.filter(pk=change.pk).update(risk=RiskLevel.HIGH)  # as a bad history would make it
    change = services.request_authorization(fresh(change), actor=agent)
    assert services.policy_for(change) == strict
    # stage 1: majority of three — one approval is not enough, two are
    first = Approval.objects.filter(stage__plan__subject=change).order_by("pk")
    assert first.count() == 3
    decide(first[0], actor=first[0].approver, approve=True)
    assert not fresh(change).cab_approved
    decide(first[1], actor=first[1].approver, approve=True)
    # stage 2 opens: the change manager signs off
    last = Approval.objects.get(stage__plan__subject=change, approver=change_manager)
    assert not fresh(change).cab_approved
    decide(last, actor=change_manager, approve=True)
    assert fresh(change).cab_approved and fresh(change).state == "authorize"


def test_a_quorum_stage(make_change, agent, questionnaire, three_members):
    board = TeamFactory(name="Quorum CAB")
    board.members.add(*three_members)
    policy = CABPolicy.objects.create(name="Quorum", change_type=ChangeType.NORMAL)
    CABStage.objects.create(policy=policy, name="Two of three", group=board, rule=StageRule.COUNT, required=2)
    change = make_change()
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 0))
    change = services.request_authorization(change, actor=agent)
    approvals = list(Approval.objects.filter(stage__plan__subject=change).order_by("pk"))
    decide(approvals[0], actor=approvals[0].approver, approve=True)
    decide(approvals[1], actor=approvals[1].approver, approve=False, comment="Too risky")
    assert fresh(change).state == "authorize" and not fresh(change).cab_approved
    decide(approvals[2], actor=approvals[2].approver, approve=True)
    assert fresh(change).cab_approved


def test_without_a_matching_policy_the_change_stays_in_assessment(make_change, agent, questionnaire):
    change = make_change()
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, 0))
    with pytest.raises(DomainError, match="No CAB policy"):
        services.request_authorization(change, actor=agent)
    assert fresh(change).state == "assess"


def test_a_policy_whose_only_member_raised_the_change_is_refused(make_change, change_manager, questionnaire):
    lonely = TeamFactory(name="Lonely CAB")
    lonely.members.add(change_manager)
    policy = CABPolicy.objects.create(name="Lonely", change_type=ChangeType.NORMAL)
    CABStage.objects.create(policy=policy, name="Only me", group=lonely)
    change = make_change(actor=change_manager)
    services.assess_change(change, actor=change_manager)
    services.assess_risk(change, actor=change_manager, answers=answers_for(questionnaire, 0))
    with pytest.raises(DomainError, match="no approvers"):
        services.request_authorization(change, actor=change_manager)
    assert fresh(change).state == "assess"


# --- PIR ----------------------------------------------------------------------------------


def implemented(make_change, agent, change_manager, questionnaire, *, pick=0, **fields):
    change = make_change(**fields)
    services.assess_change(change, actor=agent)
    services.assess_risk(change, actor=agent, answers=answers_for(questionnaire, pick))
    change = services.request_authorization(fresh(change), actor=agent)
    decide(
        Approval.objects.get(stage__plan__subject=change, approver=change_manager),
        actor=change_manager,
        approve=True,
    )
    services.schedule_change(fresh(change), actor=agent)
    return services.implement_change(fresh(change), actor=agent)


def test_a_successful_low_risk_change_closes_without_review(
    make_change, agent, change_manager, questionnaire, normal_policy
):
    change = implemented(make_change, agent, change_manager, questionnaire)
    change = services.complete_change(change, actor=agent, close_code=CloseCode.SUCCESSFUL)
    assert not change.pir_required
    assert services.close_change(change, actor=agent).state == "closed"


@pytest.mark.parametrize("close_code", [CloseCode.FAILED, CloseCode.BACKED_OUT])
def test_failed_changes_need_a_review_with_actions(
    make_change, agent, change_manager, questionnaire, normal_policy, close_code
):
    change = implemented(make_change, agent, change_manager, questionnaire)
    change = services.complete_change(change, actor=agent, close_code=close_code, notes="Lock timeout")
    with pytest.raises(TransitionNotAllowed, match="review"):
        services.close_change(change, actor=agent)
    review = services.record_review(
        change,
        actor=agent,
        findings="The index build took a table lock.",
        objectives_met=False,
        actions=[services.ActionSpec("Build indexes concurrently", owner=change_manager)],
    )
    action = review.actions.get()
    services.complete_follow_up(action, actor=change_manager)
    with pytest.raises(Exception, match="already done"):
        services.complete_follow_up(action, actor=change_manager)
    assert services.close_change(fresh(change), actor=agent).state == "closed"


def test_a_high_risk_change_needs_a_review(make_change, agent, change_manager, questionnaire, normal_policy):
    change = implemented(make_change, agent, change_manager, questionnaire)
    Change.objects.filter(pk=change.pk).update(risk=RiskLevel.HIGH)
    change = services.complete_change(fresh(change), actor=agent, close_code=CloseCode.SUCCESSFUL)
    assert change.pir_required
    with pytest.raises(TransitionNotAllowed):
        services.close_change(change, actor=agent)


def test_a_review_is_written_only_in_review(make_change, agent):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="after its implementation"):
        services.record_review(make_change(), actor=agent, findings="Too early")


# --- links --------------------------------------------------------------------------------


def test_closing_the_fix_change_resolves_the_problem(
    make_change, agent, change_manager, questionnaire, normal_policy, team
):
    import problems.services as problem_services

    problem = problem_services.create_problem(actor=agent, title="Export times out", assignment_group=team)
    problem = problem_services.assess_problem(problem, actor=agent)
    problem = problem_services.analyse_problem(problem, actor=agent)
    problem = problem_services.update_rca(problem, actor=agent, changes={"root_cause": "Missing index"})
    problem = problem_services.start_fix(problem, actor=agent)
    change = implemented(make_change, agent, change_manager, questionnaire)
    services.link_fixed_problem(change, actor=agent, number=problem.number)
    assert services.fixed_problems(change)[0].pk == problem.pk
    change = services.complete_change(fresh(change), actor=agent, close_code=CloseCode.SUCCESSFUL)
    services.close_change(change, actor=agent)
    problem.refresh_from_db()
    assert problem.state == "resolved" and problem.resolution_code == "fixed"
    assert change.number in problem.resolution_notes


def test_a_failed_fix_change_leaves_the_problem_open_with_a_note(
    make_change, agent, change_manager, questionnaire, normal_policy, team
):
    import problems.services as problem_services

    problem = problem_services.create_problem(actor=agent, title="Export times out", assignment_group=team)
    change = implemented(make_change, agent, change_manager, questionnaire)
    services.link_fixed_problem(change, actor=agent, number=problem.number)
    change = services.complete_change(fresh(change), actor=agent, close_code=CloseCode.FAILED, notes="No")
    services.record_review(change, actor=agent, findings="Wrong fix")
    services.close_change(fresh(change), actor=agent)
    problem.refresh_from_db()
    assert problem.state == "new"
    assert TimelineEntry.objects.filter(task=problem, body__contains="not removed").exists()


def test_linking_an_unknown_number_is_a_field_error(make_change, agent):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no incident numbered INC9"):
        services.link_caused_incident(make_change(), actor=agent, number="inc9")


def test_impact_summary_lists_named_services_and_those_above_the_cis(make_change, payroll):
    summary = services.impact_summary(make_change())
    assert payroll in summary.services


# --- catalog ------------------------------------------------------------------------------


def test_ordering_a_standard_change_item_raises_and_closing_delivers_it(requester, agent, template):
    from catalog.models import CatalogItem, Category
    from catalog.services import OrderLine, publish_item, submit_request

    category = Category.objects.create(name="Servers", slug="servers")
    item = CatalogItem.objects.create(
        category=category,
        slug="restart",
        name="Restart the export",
        short_description="x",
        standard_change=True,
        delivery_time=timedelta(days=1),
    )
    publish_item(item, actor=None)
    template.catalog_item = item
    template.save()
    request = submit_request(actor=requester, lines=[OrderLine(item, {})])
    ritm = request.items.get()
    link = TaskLink.objects.get(source=ritm)
    change = Change.objects.get(pk=link.target_id)
    assert change.change_type == "standard" and change.template == template
    assert [t.title for t in change.change_tasks.all()] == ["Restart", "Check the export ran"]
    # and: the requester cannot see the change
    assert not Change.objects.visible_to(requester).exists()
    # when: the change is done and closed
    start = timezone.now() + timedelta(days=1)
    services.update_change(
        change, actor=agent, changes={"planned_start": start, "planned_end": start + timedelta(hours=1)}
    )
    services.schedule_change(fresh(change), actor=agent)
    services.implement_change(fresh(change), actor=agent)
    for task in fresh(change).change_tasks.all():
        services.move_change_task(task, "complete", actor=agent)
    services.complete_change(fresh(change), actor=agent, close_code=CloseCode.SUCCESSFUL)
    services.close_change(fresh(change), actor=agent)
    ritm.refresh_from_db()
    request.refresh_from_db()
    assert ritm.state == "fulfilled" and request.state == "fulfilled"


def test_an_item_without_a_template_raises_a_standard_change_from_the_item(requester):
    from catalog.models import CatalogItem, Category
    from catalog.services import OrderLine, publish_item, submit_request

    category = Category.objects.create(name="Network", slug="network")
    item = CatalogItem.objects.create(
        category=category,
        slug="fw",
        name="Firewall rule",
        short_description="x",
        standard_change=True,
        delivery_time=timedelta(days=1),
    )
    publish_item(item, actor=None)
    ritm = submit_request(actor=requester, lines=[OrderLine(item, {})]).items.get()
    change = Change.objects.get(pk=TaskLink.objects.get(source=ritm).target_id)
    assert change.change_type == "standard" and change.template is None and change.risk == "low"
    assert (
        "Pre-approved by the catalog item"
        in TimelineEntry.objects.get(task=change, action="change.created").body
    )
