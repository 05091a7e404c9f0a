"""Portal and workspace pages: ordering with a conditional field, permissions, query budgets."""

import pytest
from django.urls import reverse

from catalog.models import FulfilmentTask, Request
from catalog.services import complete_task
from itsm.approvals.models import Approval
from itsm.approvals.services import decide


@pytest.fixture
def as_requester(client, requester):
    client.force_login(requester)
    return client


def test_item_page_renders_the_form_with_its_condition(as_requester, laptop, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = as_requester.get(reverse("catalog:item", args=[laptop.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-condition-variable="model"' in body and 'name="justification"' in body


def test_missing_conditional_field_is_a_field_error_not_a_500(as_requester, laptop):
    response = as_requester.post(
        reverse("catalog:item", args=[laptop.slug]), {"model": "dev", "quantity": "1"}
    )
    assert response.status_code == 400
    assert "is required" in response.content.decode()
    assert not Request.objects.exists()


def test_order_then_follow_to_done(as_requester, laptop, line_manager, agent, client):
    response = as_requester.post(
        reverse("catalog:item", args=[laptop.slug]),
        {"model": "dev", "justification": "Builds", "quantity": "1"},
    )
    request = Request.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    while FulfilmentTask.objects.active().exists():
        complete_task(FulfilmentTask.objects.active().first(), actor=agent)
    page = as_requester.get(request.get_absolute_url())
    assert page.status_code == 200 and "Fulfilled" in page.content.decode()


def test_requester_cannot_open_someone_elses_request(laptop, order, client, other_requester):
    request = order(laptop, {"model": "std"})
    client.force_login(other_requester)
    assert client.get(request.get_absolute_url()).status_code == 404
    assert client.post(reverse("request:cancel", args=[request.pk])).status_code == 404


def test_item_for_a_team_is_hidden_from_others(make_item, hardware_team, as_requester, client, agent):
    item = make_item(slug="server-access", name="Server access", audience="teams")
    item.teams.add(hardware_team)
    assert as_requester.get(reverse("catalog:item", args=["server-access"])).status_code == 404
    client.force_login(agent)
    assert client.get(reverse("catalog:item", args=["server-access"])).status_code == 200


def test_home_search_and_popular(as_requester, laptop, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = as_requester.get(reverse("catalog:home"), {"q": "lapt"})
    assert response.status_code == 200 and "Laptop" in response.content.decode()


def test_task_queue_and_page_for_agents_only(laptop, order, line_manager, agent, client, requester):
    order(laptop, {"model": "std"})
    decide(Approval.objects.get(), actor=line_manager, approve=True)
    task = FulfilmentTask.objects.get()
    client.force_login(requester)
    assert client.get(reverse("catalog:task-queue", args=["open"])).status_code == 403
    client.force_login(agent)
    response = client.get(reverse("catalog:task-queue", args=["open"]))
    assert response.status_code == 200 and task.number in response.content.decode()
    assert client.get(reverse("catalog:task-queue", args=["open"]), {"after": "garbage!"}).status_code == 400
    assert client.get(task.get_absolute_url()).status_code == 200
    client.post(reverse("fulfilment_task:move", args=[task.pk, "complete"]), {"version": task.version})
    task.refresh_from_db()
    assert task.state == "done"


def test_cart_submits_one_request_with_two_items(as_requester, laptop, make_item):
    mailbox = make_item(slug="mailbox", name="Mailbox")
    as_requester.post(reverse("catalog:item", args=["mailbox"]), {"action": "cart", "quantity": "1"})
    as_requester.post(
        reverse("catalog:item", args=[laptop.slug]), {"action": "cart", "model": "std", "quantity": "1"}
    )
    response = as_requester.post(reverse("catalog:cart"))
    assert response.status_code == 302
    assert Request.objects.get().items.count() == 2
    assert mailbox.request_items.get().state == "fulfilled"
