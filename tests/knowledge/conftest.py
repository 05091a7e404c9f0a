"""Knowledge fixtures: a base with a category, and a factory for articles in any state."""

import pytest

from itsm.core.roles import Role
from knowledge import services
from knowledge.models import Category, KnowledgeBase
from tests.factories import UserFactory


@pytest.fixture
def base(db):
    return KnowledgeBase.objects.create(name="End-user help", slug="help")


@pytest.fixture
def category(base):
    return Category.objects.create(base=base, name="General", slug="general")


@pytest.fixture
def other_agent(db):
    return UserFactory(username="olga.agent", roles=[Role.AGENT])


@pytest.fixture
def make_article(base, category, agent, knowledge_manager):
    """An article by `agent`, taken to `state` through the services (approved by the manager)."""

    def make(
        state="published", *, title="Connect to the VPN", body="Open the VPN client and sign in.", **extra
    ):
        article = services.create_article(
            actor=extra.pop("actor", agent), base=base, category=category, title=title, body=body, **extra
        )
        if state == "draft":
            return article
        article = services.move_article(article, "submit", actor=agent)
        if state == "in_review":
            return article
        article = services.move_article(article, "approve", actor=knowledge_manager)
        if state == "retired":
            article = services.move_article(article, "retire", actor=knowledge_manager)
        return article

    return make
