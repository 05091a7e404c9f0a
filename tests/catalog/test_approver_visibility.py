"""An approver who is neither the requester nor staff reads what they are asked to approve —
the request page with its answers, through the item link too — and nothing more: no replies,
no cancellation, nobody else's requests, no fulfilment tasks."""

import pytest
from django.urls import reverse

from catalog.models import FulfilmentTask, Request, RequestItem
from catalog.services import add_request_reply, cancel_request
from itsm.approvals.models import Approval
from itsm.approvals.services import decide
from itsm.core.exceptions import PermissionDenied
from tests.factories import UserFactory


@pytest.fixture
def placed(laptop, order):
    return order(laptop, {"model": "dev", "justification": "Builds the mobile app", "docking": "yes"})


def test_the_line_manager_opens_the_request_page_with_its_answers(placed, line_manager, client):
    # given: bob is only a requester, asked to approve the laptop
    client.force_login(line_manager)

    # when
    page = client.get(placed.get_absolute_url())
    via_item = client.get(placed.items.get().get_absolute_url())

    # then
    body = page.content.decode()
    assert page.status_code == 200
    assert "Why a developer laptop?" in body and "Builds the mobile app" in body and "Developer" in body
    assert 'action="{}"'.format(reverse("request:reply", args=[placed.pk])) not in body
    assert 'action="{}"'.format(reverse("request:cancel", args=[placed.pk])) not in body
    assert 'id="approver-note"' in body
    assert via_item.status_code == 302 and via_item["Location"].startswith(placed.get_absolute_url())


def test_the_approver_still_reads_it_after_deciding(placed, line_manager, client):
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    client.force_login(line_manager)
    assert client.get(placed.get_absolute_url()).status_code == 200


def test_the_approver_cannot_reply_or_cancel(placed, line_manager, client):
    # when: posting by hand, and calling the services
    client.force_login(line_manager)
    reply = client.post(reverse("request:reply", args=[placed.pk]), {"body": "Why so expensive?"})
    cancel = client.post(reverse("request:cancel", args=[placed.pk]), {"reason": "No"})

    # then
    assert reply.status_code == 302 and cancel.status_code == 302
    placed.refresh_from_db()
    assert placed.state == "submitted"
    assert not placed.timeline.filter(body="Why so expensive?").exists()
    with pytest.raises(PermissionDenied):
        add_request_reply(placed, actor=line_manager, body="Hello")
    with pytest.raises(PermissionDenied):
        cancel_request(placed, actor=line_manager)


def test_another_requester_still_gets_404(placed, other_requester, client):
    client.force_login(other_requester)
    assert client.get(placed.get_absolute_url()).status_code == 404
    assert client.get(placed.items.get().get_absolute_url()).status_code == 404
    assert client.post(reverse("request:reply", args=[placed.pk]), {"body": "x"}).status_code == 404


def test_the_approver_sees_only_requests_they_approve(placed, line_manager, laptop, order, requester):
    # given: a second request by someone bob does not manage is approved by someone else
    stranger = UserFactory(username="sam.stranger", roles=["requester"])
    stranger.profile.manager = UserFactory(username="other.boss", roles=["requester"])
    stranger.profile.save()
    theirs = order(laptop, {"model": "std"}, actor=stranger)

    # then
    visible = set(Request.objects.visible_to(line_manager).values_list("pk", flat=True))
    assert visible == {placed.pk} and theirs.pk not in visible
    assert set(RequestItem.objects.visible_to(line_manager).values_list("parent_request", flat=True)) == {
        placed.pk
    }
    assert not Request.objects.participated_by(line_manager).exists()


def test_the_approver_does_not_see_fulfilment_tasks(placed, line_manager, client):
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    task = FulfilmentTask.objects.first()
    assert not FulfilmentTask.objects.visible_to(line_manager).exists()
    client.force_login(line_manager)
    assert client.get(task.get_absolute_url()).status_code in (403, 404)
    assert task.number not in client.get(placed.get_absolute_url()).content.decode()


def test_the_approver_reads_it_through_the_api_but_cannot_cancel(placed, line_manager, api_as):
    api = api_as(line_manager)
    assert api.get(f"/api/v1/requests/{placed.pk}/").status_code == 200
    assert api.post(f"/api/v1/requests/{placed.pk}/cancel/", {}, format="json").status_code == 403
    assert api.post(f"/api/v1/requests/{placed.pk}/replies/", {"body": "x"}, format="json").status_code == 403
