"""Ordering, approvals through the shared machinery, fulfilment stages, completion."""

import pytest
from django.core.exceptions import ValidationError

from catalog.models import FulfilmentTask, RequestItem
from catalog.services import cancel_request, complete_task, skip_task, start_task
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.core.models import TimelineEntry
from itsm.notifications.models import Notification


def item_of(request) -> RequestItem:
    return request.items.get()


def test_submission_asks_the_manager_and_holds_fulfilment(laptop, order, line_manager, requester):
    # when
    request = order(laptop, {"model": "std"})
    # then
    item = item_of(request)
    assert request.number.startswith("REQ") and item.number.startswith("RITM")
    assert item.state == "awaiting_approval"
    assert item.values == {"model": "std", "docking": False}
    assert not FulfilmentTask.objects.exists()
    approval = Approval.objects.get()
    assert approval.approver == line_manager
    assert Notification.objects.filter(recipient=requester, task=request).exists()


def test_approval_releases_the_first_stage_then_parallel_stage(laptop, order, line_manager, agent):
    request = order(laptop, {"model": "std", "docking": "yes"})
    # when: the manager approves
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    # then: stage 10 only
    item = item_of(request)
    item.refresh_from_db()
    assert item.state == "in_fulfilment"
    first = FulfilmentTask.objects.get()
    assert first.title.startswith("Prepare laptop") and first.assignment_group.name == "Hardware"
    # when: the first task is done, the two parallel tasks of stage 20 open
    complete_task(first, actor=agent)
    assert sorted(t.title.split(" — ")[0] for t in FulfilmentTask.objects.filter(stage=20)) == [
        "Install software",
        "Set up docking station",
    ]
    # when: both are done, the item and the request complete
    for task in FulfilmentTask.objects.filter(stage=20).order_by("pk"):
        start_task(task, actor=agent)
        complete_task(FulfilmentTask.objects.get(pk=task.pk), actor=agent)
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.state == "fulfilled" and request.state == "fulfilled"


def test_conditional_step_is_left_out(laptop, order, line_manager, agent):
    request = order(laptop, {"model": "std"})
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    complete_task(FulfilmentTask.objects.get(), actor=agent)
    assert [t.title.split(" — ")[0] for t in FulfilmentTask.objects.filter(stage=20)] == ["Install software"]
    skip_task(FulfilmentTask.objects.get(stage=20), actor=agent, reason="Already installed")
    request.refresh_from_db()
    assert request.state == "fulfilled"


def test_rejection_closes_the_item_with_the_reason(laptop, order, line_manager):
    request = order(laptop, {"model": "std"})
    decide(Approval.objects.get(), actor=line_manager, approve=False, comment="Not in budget")
    item = item_of(request)
    item.refresh_from_db()
    request.refresh_from_db()
    assert item.state == "rejected" and "Not in budget" in item.close_reason
    assert request.state == "not_fulfilled"
    assert not FulfilmentTask.objects.exists()


def test_conditionally_required_field_is_a_field_error(laptop, order):
    with pytest.raises(ValidationError) as caught:
        order(laptop, {"model": "dev"})
    assert "items.0.values.justification" in caught.value.message_dict
    assert not RequestItem.objects.exists()


def test_no_manager_is_a_clear_refusal(laptop, order, requester):
    requester.profile.manager = None
    requester.profile.save()
    with pytest.raises(ValidationError) as caught:
        order(laptop, {"model": "std"})
    assert "no manager is recorded" in caught.value.message_dict["items.0.item"][0]


def test_cancel_withdraws_approvals(laptop, order, requester):
    request = order(laptop, {"model": "std"})
    cancel_request(request, actor=requester, reason="Changed my mind")
    request.refresh_from_db()
    assert request.state == "cancelled"
    assert Approval.objects.get().state != "requested"
    assert TimelineEntry.objects.filter(task=request, action="request.cancel").exists()
