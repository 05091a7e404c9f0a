"""Item approval policies translated into the shared machinery: any / all / count / sequence,
rejection, and who sees which approval."""

import pytest
from django.core.exceptions import ValidationError

from catalog.choices import ApprovalRule, ApproverKind
from catalog.models import FulfilmentTask
from catalog.services import OrderLine, submit_request
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def board(db):
    team = TeamFactory(name="Budget board")
    members = [UserFactory(username=f"board{n}", roles=["manager"]) for n in range(3)]
    team.members.add(*members)
    return team, members


def item_with(make_item, *approvals):
    return make_item(
        slug="tablet", name="Tablet", approvals=approvals, steps=[{"order": 10, "title": "Hand over"}]
    )


def state_of(request):
    item = request.items.get()
    return item.state


def requested_of(person):
    return Approval.objects.get(approver=person, state="requested")


def test_any_one_of_the_group(make_item, board, order):
    team, members = board
    request = order(
        item_with(make_item, {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.ANY}), {}
    )
    decide(requested_of(members[1]), actor=members[1], approve=True)
    assert state_of(request) == "in_fulfilment"
    assert FulfilmentTask.objects.count() == 1


def test_all_of_the_group(make_item, board, order):
    team, members = board
    request = order(
        item_with(make_item, {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.ALL}), {}
    )
    for person in members[:2]:
        decide(requested_of(person), actor=person, approve=True)
    assert state_of(request) == "awaiting_approval"
    decide(requested_of(members[2]), actor=members[2], approve=True)
    assert state_of(request) == "in_fulfilment"


def test_a_count_of_the_group(make_item, board, order):
    team, members = board
    item = item_with(
        make_item, {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.COUNT, "required": 2}
    )
    request = order(item, {})
    decide(requested_of(members[0]), actor=members[0], approve=True)
    assert state_of(request) == "awaiting_approval"
    decide(requested_of(members[2]), actor=members[2], approve=True)
    assert state_of(request) == "in_fulfilment"


def test_steps_in_sequence(make_item, board, order, line_manager):
    team, members = board
    item = item_with(
        make_item,
        {"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY, "name": "Manager"},
        {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.ANY, "name": "Board"},
    )
    request = order(item, {})
    assert not Approval.objects.filter(approver__in=members).exists()  # the board waits for the manager
    decide(requested_of(line_manager), actor=line_manager, approve=True)
    assert state_of(request) == "awaiting_approval"
    decide(requested_of(members[0]), actor=members[0], approve=True)
    assert state_of(request) == "in_fulfilment"


def test_rejection_in_the_second_step_closes_the_item(make_item, board, order, line_manager):
    team, members = board
    item = item_with(
        make_item,
        {"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY},
        {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.ALL},
    )
    request = order(item, {})
    decide(requested_of(line_manager), actor=line_manager, approve=True)
    decide(requested_of(members[0]), actor=members[0], approve=False, comment="Use a laptop instead")
    ritm = request.items.get()
    assert ritm.state == "rejected" and "Use a laptop instead" in ritm.close_reason
    assert not FulfilmentTask.objects.exists()


def test_count_larger_than_the_group_is_refused(make_item, board, order):
    team, _ = board
    item = item_with(
        make_item, {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.COUNT, "required": 5}
    )
    with pytest.raises(ValidationError):
        order(item, {})


def test_nobody_approves_their_own_order(make_item, board, requester):
    team, members = board
    item = item_with(make_item, {"approver": ApproverKind.TEAM, "team": team, "rule": ApprovalRule.ALL})
    item.teams.add(team)
    submit_request(actor=members[0], lines=[OrderLine(item, {})])
    assert not Approval.objects.filter(approver=members[0]).exists()
    assert Approval.objects.filter(approver__in=members[1:]).count() == 2


def test_approver_sees_only_what_they_must_approve(make_item, board, order, line_manager, other_requester):
    item = item_with(make_item, {"approver": ApproverKind.MANAGER, "rule": ApprovalRule.ANY})
    order(item, {})
    assert Approval.objects.visible_to(line_manager).count() == 1
    assert Approval.objects.visible_to(other_requester).count() == 0
