"""Webhook events are written in the transaction of the change, for matching subscriptions only."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from incidents.services import create_incident, resolve_incident
from itsm.notifications.models import OutboxMessage
from itsm.notifications.webhooks import emit, services
from itsm.notifications.webhooks.events import EVENT_TYPES, event_type_for
from tests.factories import ServiceFactory, TeamFactory


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def no_dispatch(monkeypatch):
    """Record what would be queued after commit instead of delivering it."""
    queued: list[int] = []
    monkeypatch.setattr(
        emit, "dispatch_on_commit", lambda task, pk: transaction.on_commit(lambda: queued.append(pk))
    )
    return queued


def subscribe(owner, events, **filters):
    return services.create_subscription(
        actor=owner, name="Bridge", url="http://127.0.0.1:18199/in", event_types=events, **filters
    )


def webhook_rows():
    return OutboxMessage.objects.filter(channel="webhook")


@pytest.mark.django_db
def test_incident_created_is_queued_with_the_records_essentials(
    allow_loopback, no_dispatch, admin_user, agent
):
    # given
    subscription = subscribe(admin_user, ["incident.created"])
    service = ServiceFactory(name="E-mail")
    # when
    with transaction.atomic():
        incident = create_incident(actor=agent, title="Mail is down <script>", service=service)
    # then
    (row,) = webhook_rows()
    assert row.subscription_id == subscription.pk and row.subject == "incident.created"
    payload = json.loads(row.body_text)
    assert payload["type"] == "incident.created" and len(payload["id"]) == 36 and payload["occurred_at"]
    data = payload["data"]
    assert data["id"] == incident.pk and data["number"] == incident.number and data["kind"] == "incident"
    assert data["title"] == "Mail is down <script>" and data["state"] == "new"
    assert data["service"] == {"id": service.pk, "name": "E-mail"}
    assert data["url"].endswith(incident.get_absolute_url())
    assert data["api_url"].endswith(f"/api/v1/incidents/{incident.pk}/")
    assert "requester" not in data and "description" not in data


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_no_webhook(allow_loopback, no_dispatch, admin_user, agent):
    subscribe(admin_user, ["incident.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        create_incident(actor=agent, title="Never happened")
        raise RuntimeError("the caller fails after the service")
    assert not webhook_rows().exists() and no_dispatch == []


@pytest.mark.django_db
def test_filters_by_service_and_group(allow_loopback, no_dispatch, admin_user, agent):
    # given
    mail, web = ServiceFactory(name="Mail"), ServiceFactory(name="Web")
    desk, network = TeamFactory(name="Desk"), TeamFactory(name="Network")
    by_service = subscribe(admin_user, ["incident.created"], services=[mail])
    by_group = subscribe(admin_user, ["incident.created"], assignment_groups=[network])
    # when
    create_incident(actor=agent, title="Mail", service=mail, assignment_group=desk)
    create_incident(actor=agent, title="Web", service=web, assignment_group=network)
    create_incident(actor=agent, title="Neither", service=web, assignment_group=desk)
    # then
    sent = {(row.subscription_id, json.loads(row.body_text)["data"]["title"]) for row in webhook_rows()}
    assert sent == {(by_service.pk, "Mail"), (by_group.pk, "Web")}


@pytest.mark.django_db
def test_resolved_event_follows_the_transition(allow_loopback, no_dispatch, admin_user, agent):
    subscribe(admin_user, ["incident.resolved"])
    incident = create_incident(actor=agent, title="Printer")
    code = Incident._meta.get_field("resolution_code").choices[1][0]
    resolve_incident(incident, actor=agent, resolution_code=code, notes="Toner replaced")
    (row,) = webhook_rows()
    payload = json.loads(row.body_text)
    assert payload["type"] == "incident.resolved" and payload["data"]["state"] == "resolved"
    assert payload["changes"]["state"] == {"old": "new", "new": "resolved"}


@pytest.mark.django_db
def test_no_matching_subscription_costs_no_query(allow_loopback, no_dispatch, admin_user, agent):
    # given: a subscription for other events, and the cache warm
    subscribe(admin_user, ["change.approved"])
    create_incident(actor=agent, title="Warm up")
    # when
    with CaptureQueriesContext(connection) as queries:
        create_incident(actor=agent, title="Measured")
    # then
    assert not [q for q in queries.captured_queries if "webhooksubscription" in q["sql"]]
    assert not webhook_rows().exists()


@pytest.mark.django_db
def test_disabled_subscriptions_receive_nothing(allow_loopback, no_dispatch, admin_user, agent):
    subscription = subscribe(admin_user, ["incident.created"])
    services.update_subscription(subscription, actor=admin_user, is_active=False)
    create_incident(actor=agent, title="Quiet")
    assert not webhook_rows().exists()


@pytest.mark.parametrize(
    ("kind", "action", "changes", "state", "expected"),
    [
        ("incident", "incident.reopen", {}, "in_progress", "incident.reopened"),
        ("incident", "incident.close", {}, "closed", "incident.closed"),
        ("incident", "incident.assigned", {}, "new", "incident.updated"),
        ("incident", "sla.breached", {}, "new", "sla.breached"),
        ("change", "approval.plan_approved", {}, "authorize", "change.approved"),
        ("change", "approval.plan_rejected", {}, "authorize", "change.rejected"),
        ("request_item", "approval.plan_approved", {}, "x", None),
        ("change", "change.complete", {}, "review", "change.implemented"),
        (
            "problem",
            "problem.rca_updated",
            {"known_error": {"old": False, "new": True}},
            "x",
            "problem.known_error",
        ),
        ("problem", "problem.rca_updated", {"known_error": {"old": True, "new": True}}, "x", None),
        ("request", "request.submitted", {}, "submitted", "request.created"),
        ("request", "request.fulfil", {}, "fulfilled", "request.fulfilled"),
        ("knowledge_article", "article.approve", {}, "published", "knowledge.published"),
        ("knowledge_article", "article.approve", {}, "scheduled", None),
        ("incident", "incident.routed", {}, "new", None),
    ],
)
def test_event_mapping(kind, action, changes, state, expected):
    assert event_type_for(kind, action, changes, state) == expected
    assert expected is None or expected in EVENT_TYPES


@pytest.mark.django_db
def test_an_owner_who_may_not_see_the_record_gets_no_event(allow_loopback, no_dispatch, agent, requester):
    # given: an integrator account with only the requester role (sees its own incidents only)
    from django.contrib.auth.models import Permission

    requester.user_permissions.add(Permission.objects.get(codename="manage_webhooks"))
    subscribe(requester, ["incident.created"])
    # when: an agent raises an incident for somebody else, then one for the integrator's user
    create_incident(actor=agent, title="Someone else's")
    own = create_incident(actor=agent, title="Mine", requester=requester)
    # then
    (row,) = webhook_rows()
    assert json.loads(row.body_text)["data"]["id"] == own.pk
