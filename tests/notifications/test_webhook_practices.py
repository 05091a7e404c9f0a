"""Events of the practices that do not write their history through `record_event` alone:
a catalog submission (bulk timeline entries) and a knowledge article (its own history)."""

import json
from datetime import timedelta

import pytest
from django.db import transaction

from catalog.models import CatalogItem
from catalog.models import Category as CatalogCategory
from catalog.services import OrderLine, publish_item, submit_request
from itsm.notifications.models import OutboxMessage
from itsm.notifications.webhooks import emit, services
from knowledge import services as knowledge
from knowledge.models import KnowledgeBase


@pytest.fixture(autouse=True)
def quiet(settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    monkeypatch.setattr(emit, "dispatch_on_commit", lambda task, pk: None)


def subscribe(owner, events):
    return services.create_subscription(
        actor=owner, name="Bridge", url="http://127.0.0.1:18199/in", event_types=events
    )


def payloads(event: str) -> list[dict]:
    rows = OutboxMessage.objects.filter(channel="webhook", subject=event)
    return [json.loads(row.body_text) for row in rows]


@pytest.mark.django_db
def test_a_catalog_submission_emits_request_created(admin_user, requester):
    # given
    subscribe(admin_user, ["request.created"])
    category = CatalogCategory.objects.create(name="Access", slug="access")
    item = CatalogItem.objects.create(
        category=category,
        slug="vpn",
        name="VPN access",
        short_description="VPN",
        delivery_time=timedelta(days=1),
    )
    publish_item(item, actor=None)
    # when
    with transaction.atomic():
        request = submit_request(actor=requester, lines=[OrderLine(item, {}, 1)])
    # then
    (payload,) = payloads("request.created")
    assert payload["data"]["number"] == request.number and payload["data"]["kind"] == "request"
    assert payload["data"]["api_url"].endswith(f"/api/v1/requests/{request.pk}/")


@pytest.mark.django_db
def test_publishing_an_article_emits_knowledge_published(admin_user, agent, knowledge_manager):
    # given
    subscribe(admin_user, ["knowledge.published"])
    base = KnowledgeBase.objects.create(name="Help", slug="help")
    article = knowledge.create_article(actor=agent, base=base, title="Reset your password", body="Go to …")
    article = knowledge.move_article(article, "submit", actor=agent)
    assert payloads("knowledge.published") == []
    # when
    knowledge.move_article(article, "approve", actor=knowledge_manager)
    # then
    (payload,) = payloads("knowledge.published")
    data = payload["data"]
    assert data["kind"] == "knowledge_article" and data["title"] == "Reset your password"
    assert data["state"] == "published" and data["api_url"].endswith(
        f"/api/v1/knowledge/articles/{article.pk}/"
    )
