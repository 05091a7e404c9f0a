"""Who may see and manage which webhooks, on the pages and in the API; escaping; query budgets."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from itsm.notifications.models import DeliveryAttempt, OutboxMessage, WebhookSubscription
from itsm.notifications.webhooks import services
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def integrator(db):
    user = UserFactory(username="ivy.integrator", roles=["requester"])
    user.user_permissions.add(Permission.objects.get(codename="manage_webhooks"))
    return user


def subscription_of(owner, name="Bridge") -> WebhookSubscription:
    return services.create_subscription(
        actor=owner, name=name, url="http://127.0.0.1:18199/in", event_types=["incident.created"]
    )


def delivery_of(subscription, body="<b>answer</b>") -> OutboxMessage:
    message = OutboxMessage.objects.create(
        channel="webhook",
        subscription=subscription,
        to_address=subscription.url,
        subject="incident.created",
        body_text='{"id": "e1", "type": "incident.created", "data": {"title": "<script>x</script>"}}',
        status="failed",
        attempts=1,
    )
    now = timezone.now()
    DeliveryAttempt.objects.create(
        message=message,
        number=1,
        started_at=now,
        finished_at=now,
        succeeded=False,
        status_code=500,
        response_ms=12,
        response_body=body,
        error="HTTP 500",
    )
    return message


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["requester", "agent", "manager", "change_manager", "knowledge_manager"])
def test_people_without_the_permission_get_403(client, api_as, personas, persona, admin_user):
    subscription = subscription_of(admin_user)
    user = personas[persona]
    client.force_login(user)
    assert client.get(reverse("webhooks:list")).status_code == 403
    assert client.get(reverse("webhooks:detail", args=[subscription.pk])).status_code == 403
    assert client.post(reverse("webhooks:action", args=[subscription.pk, "ping"])).status_code == 403
    api = api_as(user)
    assert api.get("/api/v1/webhooks/").status_code == 403
    assert api.get("/api/v1/webhook-deliveries/").status_code == 403
    assert api.post("/api/v1/webhooks/", {"name": "x"}, format="json").status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, api_client):
    response = client.get(reverse("webhooks:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert api_client.get("/api/v1/webhooks/").status_code in (401, 403)


@pytest.mark.django_db
def test_integrators_see_only_their_own(client, api_as, integrator, admin_user):
    # given
    own, foreign = subscription_of(integrator, "Mine"), subscription_of(admin_user, "Admin's")
    foreign_delivery = delivery_of(foreign)
    client.force_login(integrator)
    # then: pages
    page = client.get(reverse("webhooks:list")).content.decode()
    assert "Mine" in page and "Admin&#x27;s" not in page
    assert client.get(reverse("webhooks:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("webhooks:delivery", args=[foreign.pk, foreign_delivery.pk])).status_code == 404
    assert client.post(reverse("webhooks:replay", args=[foreign.pk, foreign_delivery.pk])).status_code == 404
    assert client.post(reverse("webhooks:action", args=[foreign.pk, "delete"])).status_code == 404
    # a delivery of another subscription is not reachable through one's own
    assert client.get(reverse("webhooks:delivery", args=[own.pk, foreign_delivery.pk])).status_code == 404
    # and the API
    api = api_as(integrator)
    assert [row["id"] for row in api.get("/api/v1/webhooks/").json()["results"]] == [own.pk]
    assert api.get(f"/api/v1/webhooks/{foreign.pk}/").status_code == 404
    assert api.get("/api/v1/webhook-deliveries/").json()["results"] == []
    assert api.post(f"/api/v1/webhook-deliveries/{foreign_delivery.pk}/replay/").status_code == 404
    assert WebhookSubscription.objects.filter(pk=foreign.pk).exists()


@pytest.mark.django_db
def test_admins_see_and_manage_every_subscription(client, api_as, integrator, admin_user):
    theirs = subscription_of(integrator, "Integrator's")
    delivery = delivery_of(theirs)
    client.force_login(admin_user)
    assert "Integrator&#x27;s" in client.get(reverse("webhooks:list")).content.decode()
    assert client.get(reverse("webhooks:delivery", args=[theirs.pk, delivery.pk])).status_code == 200
    api = api_as(admin_user)
    assert api.patch(f"/api/v1/webhooks/{theirs.pk}/", {"is_active": False}, format="json").status_code == 200
    theirs.refresh_from_db()
    assert not theirs.is_active and theirs.owner == integrator


@pytest.mark.django_db
def test_create_through_the_page_and_refuse_a_private_url(client, integrator, settings):
    client.force_login(integrator)
    data = {
        "name": "Chat bot",
        "url": "http://127.0.0.1:18199/hook",
        "event_types": ["incident.created", "sla.breached"],
    }
    response = client.post(reverse("webhooks:new"), data)
    subscription = WebhookSubscription.objects.get(name="Chat bot")
    assert response.status_code == 302 and response["Location"] == subscription.get_absolute_url()
    assert subscription.owner == integrator and subscription.secret.startswith("whsec_")
    assert subscription.event_types == ["incident.created", "sla.breached"]
    # the owner sees the secret on the page
    assert subscription.secret in client.get(subscription.get_absolute_url()).content.decode()
    # a private address is refused with the reason
    settings.WEBHOOK_ALLOWED_HOSTS = []
    refused = client.post(reverse("webhooks:new"), {**data, "name": "Loop"})
    assert refused.status_code == 400 and "a loopback address" in refused.content.decode()


@pytest.mark.django_db
def test_api_create_rotate_ping_and_errors(api_as, integrator, settings):
    api = api_as(integrator)
    body = {"name": "Monitor", "url": "http://127.0.0.1:18199/in", "event_types": ["incident.created"]}
    created = api.post("/api/v1/webhooks/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["owner"] == integrator.username and data["secret"].startswith("whsec_")
    rotated = api.post(f"/api/v1/webhooks/{data['id']}/rotate-secret/").json()["secret"]
    assert rotated != data["secret"]
    bad_event = api.post("/api/v1/webhooks/", {**body, "event_types": ["incident.exploded"]}, format="json")
    assert bad_event.status_code == 400
    settings.WEBHOOK_ALLOWED_HOSTS = []
    private = api.post("/api/v1/webhooks/", body, format="json")
    assert private.status_code == 400 and "loopback" in private.content.decode()


@pytest.mark.django_db
def test_user_text_is_escaped(client, admin_user):
    subscription = subscription_of(admin_user, name="<img src=x onerror=alert(1)>")
    delivery = delivery_of(subscription, body="<script>alert(2)</script>")
    client.force_login(admin_user)
    for url in (
        reverse("webhooks:list"),
        subscription.get_absolute_url(),
        reverse("webhooks:delivery", args=[subscription.pk, delivery.pk]),
    ):
        page = client.get(url).content.decode()
        assert "<img src=x" not in page and "<script>alert" not in page
    page = client.get(reverse("webhooks:delivery", args=[subscription.pk, delivery.pk])).content.decode()
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_pages_have_constant_query_counts(client, admin_user, django_assert_max_num_queries):
    subscriptions = [subscription_of(admin_user, f"Hook {n}") for n in range(5)]
    for _ in range(30):
        delivery_of(subscriptions[0])
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("webhooks:list")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(subscriptions[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/webhook-deliveries/").status_code == 200


@pytest.mark.django_db
def test_the_admin_lists_subscriptions_without_their_secret(client, admin_user):
    subscription = subscription_of(admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("admin:notifications_webhooksubscription_change", args=[subscription.pk]))
    assert page.status_code == 200 and subscription.secret not in page.content.decode()
    assert (
        "Bridge" in client.get(reverse("admin:notifications_webhooksubscription_changelist")).content.decode()
    )


@pytest.mark.django_db
def test_api_delivery_log_ping_and_replay_for_the_owner(api_as, integrator):
    # given
    subscription = subscription_of(integrator)
    delivery = delivery_of(subscription)
    api = api_as(integrator)
    # when / then: the log with attempts and payload
    (row,) = api.get(f"/api/v1/webhook-deliveries/?subscription={subscription.pk}").json()["results"]
    assert row["id"] == delivery.pk and row["event"] == "incident.created"
    assert row["payload"]["data"]["title"] == "<script>x</script>"
    assert row["attempts_log"][0]["status_code"] == 500
    # replay keeps the payload, with a new delivery id
    replayed = api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")
    assert replayed.status_code == 202
    assert (
        replayed.json()["payload"] == row["payload"] and replayed.json()["delivery_id"] != row["delivery_id"]
    )
    # a test delivery
    ping = api.post(f"/api/v1/webhooks/{subscription.pk}/ping/")
    assert ping.status_code == 202 and ping.json()["event"] == "webhook.ping"
    # a disabled subscription refuses both with a clear 400
    api.patch(f"/api/v1/webhooks/{subscription.pk}/", {"is_active": False}, format="json")
    refused = api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")
    assert refused.status_code == 400 and "Enable the subscription" in refused.content.decode()
