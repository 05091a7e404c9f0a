"""Delivery SLAs on requests, items and tasks; notifications at each step; the standard-change hook."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from catalog import standard_changes
from catalog.models import FulfilmentTask
from catalog.services import complete_request_item, complete_task, register_standard_change_handler
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.core.models import TimelineEntry
from itsm.notifications.models import Notification, OutboxMessage
from itsm.sla.choices import Target
from itsm.sla.models import SLAClock, SLADefinition
from itsm.sla.services import create_calendar
from itsm.sla.services.calendars import full_day_windows
from tests.factories import TaskFactory


@pytest.fixture
def delivery_slas(db):
    calendar = create_calendar(name="24x7", time_zone="UTC", windows=full_day_windows())
    for kind in ("request", "request_item", "fulfilment_task"):
        SLADefinition.objects.create(
            name=f"{kind} in 5 days",
            target=Target.RESOLUTION,
            duration=timedelta(days=5),
            calendar=calendar,
            kinds=[kind],
        )


def test_clocks_run_on_request_item_and_task_and_stop_when_done(
    delivery_slas, laptop, order, line_manager, agent
):
    request = order(laptop, {"model": "std"})
    item = request.items.get()
    assert SLAClock.objects.filter(task=request).exists() and SLAClock.objects.filter(task=item).exists()
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    while FulfilmentTask.objects.active().exists():
        task = FulfilmentTask.objects.active().first()
        assert SLAClock.objects.filter(task=task, stage="running").exists()
        complete_task(task, actor=agent)
    assert not SLAClock.objects.filter(stage__in=["running", "paused"]).exists()


def test_requester_is_told_at_each_step(laptop, order, line_manager, agent, requester, hardware_team):
    request = order(laptop, {"model": "std"})
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    while FulfilmentTask.objects.active().exists():
        complete_task(FulfilmentTask.objects.active().first(), actor=agent)
    titles = list(Notification.objects.filter(recipient=requester).values_list("title", flat=True))
    assert any("We received" in t for t in titles)
    assert any("being fulfilled" in t for t in titles)
    assert any("is ready" in t for t in titles)
    assert any("complete" in t for t in titles)
    assert OutboxMessage.objects.filter(to_address=hardware_team.email).exists()  # new work for the group
    assert request.pk


@pytest.fixture
def no_handler():
    """No standard-change handler during the test; the one the change practice registered in
    its `ready()` (when installed) is put back afterwards."""
    saved = list(standard_changes._handler)
    standard_changes.unregister_standard_change_handler()
    yield
    standard_changes._handler[:] = saved


def test_standard_change_item_is_refused_until_changes_register(no_handler, make_item, order):
    item = make_item(slug="std-change", name="Firewall rule", standard_change=True)
    with pytest.raises(ValidationError) as caught:
        order(item, {})
    assert "standard change" in caught.value.message_dict["items.0.item"][0]


def test_standard_change_handler_raises_the_change_and_completes_it(no_handler, make_item, order, agent):
    raised = []

    def handler(request_item, *, actor):
        change = TaskFactory(kind="change", title=f"Standard change for {request_item.number}")
        raised.append(change)
        return change

    register_standard_change_handler(handler)
    item = make_item(slug="std-change", name="Firewall rule", standard_change=True)
    request = order(item, {})
    ritm = request.items.get()
    assert ritm.state == "in_fulfilment" and not FulfilmentTask.objects.exists()
    assert TimelineEntry.objects.filter(task=ritm, body__contains=raised[0].number).exists()
    complete_request_item(ritm, actor=agent, note=f"Done by {raised[0].number}")
    request.refresh_from_db()
    assert request.state == "fulfilled"
