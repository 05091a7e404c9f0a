"""Incident services: creation, every allowed and refused move, assignment, replies, rating."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incidents.choices import AssignmentMethod, ContactType, HoldReason, MajorIncidentState, ResolutionCode
from incidents.models import Incident, PriorityRule, RoutingRule
from incidents.services import (
    add_reply,
    assign_incident,
    cancel_incident,
    close_incident,
    create_incident,
    decide_major,
    hold_incident,
    propose_major,
    rate_resolution,
    reopen_incident,
    resolve_incident,
    start_incident,
    update_incident,
)
from incidents.workflow import INCIDENT_WORKFLOW
from itsm.core.choices import StateCategory
from itsm.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification
from tests.factories import ServiceFactory, TeamFactory, UserFactory


def resolved(incident, agent):
    return resolve_incident(
        incident, actor=agent, resolution_code=ResolutionCode.SOLVED_PERMANENTLY, notes="Fixed"
    )


@pytest.mark.django_db
class TestCreation:
    def test_requester_raises_for_themselves_with_a_number_and_matrix_priority(self, requester, agent):
        # when
        incident = create_incident(
            actor=requester,
            requester=agent,
            title="  VPN   drops  ",
            impact=1,
            urgency=1,
            assignment_group=TeamFactory(),
        )
        # then
        assert incident.number.startswith("INC") and incident.state == "new"
        assert incident.requester == requester  # an end user cannot raise for someone else
        assert incident.assignment_group is None  # nor route it
        assert incident.title == "VPN drops" and incident.priority == 1
        assert incident.timeline.get().action == "incident.created"
        assert Notification.objects.filter(recipient=requester, task=incident).exists()

    def test_admins_edit_the_matrix(self, requester):
        PriorityRule.objects.update_or_create(impact=2, urgency=2, defaults={"priority": 1})
        assert create_incident(actor=requester, title="x", impact=2, urgency=2).priority == 1

    def test_empty_title_and_mismatched_subcategory_are_field_errors(self, requester, hardware):
        from incidents.models import Category

        other = Category.objects.create(name="Software")
        sub = Category.objects.create(name="Office", parent=other)
        with pytest.raises(ValidationError) as excinfo:
            create_incident(actor=requester, title="   ", category=hardware, subcategory=sub)
        assert set(excinfo.value.message_dict) == {"title", "subcategory"}

    def test_routing_rule_picks_group_priority_and_assignee(self, requester, agent, team):
        # given
        email = ServiceFactory(name="E-mail")
        RoutingRule.objects.create(
            name="Mail to the desk",
            service=email,
            assignment_group=team,
            priority=2,
            assignment_method=AssignmentMethod.LEAST_LOADED,
        )
        # when
        incident = create_incident(actor=requester, title="No mail", service=email)
        # then
        assert (incident.assignment_group, incident.assignee, incident.priority) == (team, agent, 2)
        assert "Mail to the desk" in incident.timeline.get(action="incident.routed").body
        assert not incident.timeline.get(action="incident.routed").is_public

    def test_first_matching_rule_wins_and_non_matching_rules_are_skipped(self, requester, team):
        other = TeamFactory(name="Network")
        RoutingRule.objects.create(
            name="phone", order=1, contact_type=ContactType.PHONE, assignment_group=other
        )
        RoutingRule.objects.create(name="catch-all", order=2, assignment_group=team)
        assert create_incident(actor=requester, title="x").assignment_group == team

    def test_round_robin_rotates_through_members(self, requester, agent, team):
        second = UserFactory(username="second.agent", roles=["agent"])
        team.members.add(second)
        RoutingRule.objects.create(
            name="rr", assignment_group=team, assignment_method=AssignmentMethod.ROUND_ROBIN
        )
        assignees = [create_incident(actor=requester, title=f"#{n}").assignee for n in range(4)]
        assert assignees == [agent, second, agent, second]


@pytest.mark.django_db
class TestLifecycle:
    def test_happy_path(self, make_incident, agent, requester):
        incident = make_incident()
        incident = start_incident(incident, actor=agent)
        assert incident.responded_at is not None and incident.state_category == StateCategory.OPEN
        incident = hold_incident(incident, actor=agent, reason=HoldReason.AWAITING_CALLER)
        assert incident.state == "on_hold" and incident.state_category == StateCategory.PENDING
        incident = start_incident(incident, actor=agent)
        incident = resolved(incident, agent)
        assert incident.resolved_at is not None
        incident = close_incident(incident, actor=requester)
        assert incident.state == "closed" and incident.closed_at is not None
        actions = list(incident.timeline.values_list("action", flat=True))
        assert actions[-5:] == [
            "incident.start",
            "incident.hold",
            "incident.start",
            "incident.resolve",
            "incident.close",
        ]

    @pytest.mark.parametrize(
        ("state", "move"),
        [
            ("resolved", "start"),
            ("closed", "reopen"),
            ("closed", "resolve"),
            ("cancelled", "hold"),
            ("new", "close"),
            ("new", "reopen"),
        ],
    )
    def test_refused_moves_say_why_and_change_nothing(self, make_incident, agent, state, move):
        incident = make_incident()
        Incident.objects.filter(pk=incident.pk).update(
            state=state, state_category=INCIDENT_WORKFLOW.category_of(state)
        )
        incident.refresh_from_db()
        calls = {
            "start": lambda: start_incident(incident, actor=agent),
            "reopen": lambda: reopen_incident(incident, actor=agent),
            "resolve": lambda: resolved(incident, agent),
            "hold": lambda: hold_incident(incident, actor=agent, reason=HoldReason.AWAITING_CHANGE),
            "close": lambda: close_incident(incident, actor=agent),
        }
        with pytest.raises(TransitionNotAllowed):
            calls[move]()
        incident.refresh_from_db()
        assert incident.state == state and incident.version == 1

    def test_hold_needs_a_reason_and_resolve_needs_code_and_notes(self, make_incident, agent):
        incident = make_incident()
        with pytest.raises(TransitionNotAllowed, match="on hold"):
            hold_incident(incident, actor=agent, reason="")
        with pytest.raises(TransitionNotAllowed, match="resolution code"):
            resolve_incident(incident, actor=agent, resolution_code="", notes="x")
        with pytest.raises(TransitionNotAllowed, match="notes"):
            resolve_incident(incident, actor=agent, resolution_code=ResolutionCode.DUPLICATE, notes="  ")

    def test_requesters_cannot_work_incidents(self, make_incident, requester):
        incident = make_incident()
        for call in (
            lambda: start_incident(incident, actor=requester),
            lambda: resolved(incident, requester),
            lambda: cancel_incident(incident, actor=requester),
        ):
            with pytest.raises(PermissionDenied):
                call()

    def test_other_requesters_cannot_close_or_reopen(self, make_incident, agent, other_requester):
        incident = resolved(make_incident(), agent)
        with pytest.raises(PermissionDenied):
            close_incident(incident, actor=other_requester)
        with pytest.raises(PermissionDenied):
            reopen_incident(incident, actor=other_requester)

    def test_requester_reopens_within_the_window_only(self, make_incident, agent, requester, settings):
        settings.INCIDENT_REOPEN_DAYS = 3
        incident = resolved(make_incident(), agent)
        reopened = reopen_incident(incident, actor=requester, reason="Still jams")
        assert (
            reopened.state == "in_progress"
            and reopened.resolution_code == ""
            and reopened.resolved_at is None
        )
        again = resolved(reopened, agent)
        with (
            time_machine.travel(again.resolved_at + timedelta(days=4)),
            pytest.raises(TransitionNotAllowed, match="new incident"),
        ):
            reopen_incident(again, actor=requester)

    def test_stale_version_is_refused_and_nothing_is_overwritten(self, make_incident, agent):
        incident = make_incident()
        start_incident(incident, actor=agent, expected_version=1)
        with pytest.raises(StaleVersion):
            hold_incident(incident, actor=agent, reason=HoldReason.AWAITING_CALLER, expected_version=1)
        incident.refresh_from_db()
        assert incident.state == "in_progress"

    def test_children_follow_their_parents_resolution(self, make_incident, agent):
        parent = make_incident(title="Outage")
        children = [make_incident(title=f"Me too {n}") for n in range(2)]
        Incident.objects.filter(pk__in=[c.pk for c in children]).update(parent=parent)
        resolved(parent, agent)
        for child in children:
            child.refresh_from_db()
            assert child.state == "resolved" and child.resolution_notes == "Fixed"
            assert parent.number in child.timeline.last().body


@pytest.mark.django_db
class TestAssignmentAndEdits:
    def test_assign_records_old_and_new_and_notifies_the_assignee(self, make_incident, agent, manager, team):
        incident = assign_incident(make_incident(), actor=manager, group=team, assignee=agent)
        entry = incident.timeline.get(action="incident.assigned")
        assert entry.changes["assignee"]["new"]["id"] == agent.pk
        assert Notification.objects.filter(recipient=agent, task=incident).exists()

    def test_assignee_must_be_in_the_group(self, make_incident, manager, team):
        outsider = UserFactory(username="outsider", roles=["agent"])
        with pytest.raises(ValidationError, match="not a member"):
            assign_incident(make_incident(), actor=manager, group=team, assignee=outsider)

    def test_update_recomputes_priority_and_refuses_workflow_fields(self, make_incident, agent):
        incident = update_incident(make_incident(), actor=agent, changes={"impact": 1, "urgency": 1})
        assert incident.priority == 1
        with pytest.raises(ValidationError) as excinfo:
            update_incident(incident, actor=agent, changes={"state": "closed", "priority": 5})
        assert set(excinfo.value.message_dict) == {"state", "priority"}


@pytest.mark.django_db
class TestConversation:
    def test_first_public_agent_reply_is_the_first_response(self, make_incident, agent, requester):
        incident = make_incident()
        add_reply(incident, actor=agent, body="Looking", public=False)
        incident.refresh_from_db()
        assert incident.responded_at is None
        add_reply(incident, actor=agent, body="On my way")
        incident.refresh_from_db()
        assert incident.responded_at is not None
        assert Notification.objects.filter(recipient=requester, title__startswith="New reply").count() == 1

    def test_caller_reply_resumes_an_incident_awaiting_them(self, make_incident, agent, requester):
        incident = hold_incident(make_incident(), actor=agent, reason=HoldReason.AWAITING_CALLER)
        add_reply(incident, actor=requester, body="Here is the info")
        incident.refresh_from_db()
        assert incident.state == "in_progress" and incident.hold_reason == ""

    def test_rating_once_per_resolution_by_the_requester(
        self, make_incident, agent, requester, other_requester
    ):
        incident = make_incident()
        with pytest.raises(ValidationError, match="once it is resolved"):
            rate_resolution(incident, actor=requester, score=5)
        incident = resolved(incident, agent)
        with pytest.raises(PermissionDenied):
            rate_resolution(incident, actor=other_requester, score=1)
        with pytest.raises(ValidationError, match="1 to 5"):
            rate_resolution(incident, actor=requester, score=6)
        assert rate_resolution(incident, actor=requester, score=4, comment="Quick").score == 4
        with pytest.raises(ValidationError, match="already rated"):
            rate_resolution(incident, actor=requester, score=5)


@pytest.mark.django_db
class TestMajorIncidents:
    def test_agent_proposes_manager_accepts(self, make_incident, agent, manager):
        incident = propose_major(make_incident(), actor=agent, reason="Whole floor down")
        assert incident.major_state == MajorIncidentState.PROPOSED
        with pytest.raises(PermissionDenied):
            decide_major(incident, actor=agent, accept=True)
        incident = decide_major(incident, actor=manager, accept=True)
        assert incident.is_major and Incident.objects.major_open().get() == incident

    def test_no_decision_without_a_proposal_and_no_double_proposal(self, make_incident, agent, manager):
        incident = make_incident()
        with pytest.raises(TransitionNotAllowed):
            decide_major(incident, actor=manager, accept=True)
        propose_major(incident, actor=agent, reason="x")
        with pytest.raises(TransitionNotAllowed):
            propose_major(incident, actor=agent, reason="y")


@pytest.mark.django_db
def test_auto_close_closes_only_incidents_resolved_long_enough_ago(make_incident, agent, settings):
    from incidents.tasks import auto_close_resolved

    settings.INCIDENT_AUTO_CLOSE_DAYS = 5
    old = resolved(make_incident(title="old"), agent)
    fresh = resolved(make_incident(title="fresh"), agent)
    Incident.objects.filter(pk=old.pk).update(resolved_at=old.resolved_at - timedelta(days=6))
    assert auto_close_resolved() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == ("closed", "resolved")
    assert old.timeline.last().actor is None
