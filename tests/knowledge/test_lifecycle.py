"""Lifecycle and review, versions and restore, enforced by the services whoever calls them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from itsm.core.exceptions import PermissionDenied, StaleVersion, TransitionNotAllowed
from itsm.notifications.models import Notification
from knowledge import services
from knowledge.models import Article, ArticleEvent


def test_draft_review_publish_retire(make_article, agent, knowledge_manager):
    # given a draft
    article = make_article("draft")
    assert article.state == "draft" and article.number.startswith("KB") and article.current_version == 0
    # when it goes through review
    article = services.move_article(article, "submit", actor=agent)
    article = services.move_article(article, "approve", actor=knowledge_manager, comment="Good")
    # then it is published as version 1
    assert article.state == "published" and article.published_at
    assert list(article.versions.values_list("number", "author__username")) == [(1, "kim.knowledge")]
    assert Notification.objects.filter(recipient=agent, title__contains="published").exists()
    article = services.move_article(article, "retire", actor=knowledge_manager)
    assert article.state == "retired"
    assert services.search_articles(agent, "vpn") == []


def test_send_back_needs_a_comment_and_reaches_the_owner(make_article, knowledge_manager, agent):
    article = make_article("in_review")
    with pytest.raises(TransitionNotAllowed, match="Say what"):
        services.move_article(article, "send_back", actor=knowledge_manager)
    article = services.move_article(article, "send_back", actor=knowledge_manager, comment="Add screenshots")
    assert article.state == "draft" and article.review_comment == "Add screenshots"
    assert ArticleEvent.objects.filter(
        article=article, action="article.send_back", body="Add screenshots"
    ).exists()
    assert Notification.objects.filter(recipient=agent, body="Add screenshots").exists()


def test_only_knowledge_managers_review_and_never_their_own(make_article, agent, knowledge_manager, base):
    article = make_article("in_review")
    with pytest.raises(PermissionDenied):
        services.move_article(article, "approve", actor=agent)
    own = services.create_article(actor=knowledge_manager, base=base, title="Mine", body="text")
    own = services.move_article(own, "submit", actor=knowledge_manager)
    with pytest.raises(PermissionDenied, match="four eyes"):
        services.move_article(own, "approve", actor=knowledge_manager)


def test_requesters_cannot_write(requester, base):
    with pytest.raises(PermissionDenied):
        services.create_article(actor=requester, base=base, title="x", body="y")


def test_submit_needs_a_body(agent, base):
    article = services.create_article(actor=agent, base=base, title="Empty")
    with pytest.raises(TransitionNotAllowed, match="body"):
        services.move_article(article, "submit", actor=agent)


def test_scheduled_publication_waits_for_its_time(make_article, agent, knowledge_manager, base):
    later = timezone.now() + timedelta(hours=2)
    article = services.create_article(actor=agent, base=base, title="Later", body="b", publish_at=later)
    article = services.move_article(article, "submit", actor=agent)
    article = services.move_article(article, "approve", actor=knowledge_manager)
    assert article.state == "scheduled" and article.current_version == 0
    assert services.publish_due(timezone.now()) == 0
    assert services.publish_due(later + timedelta(minutes=1)) == 1
    article.refresh_from_db()
    assert article.state == "published" and article.current_version == 1


def test_published_edits_are_versions_and_restore_is_a_new_version(make_article, agent, knowledge_manager):
    article = make_article()
    with pytest.raises(PermissionDenied):
        services.update_article(article, actor=agent, changes={"body": "new"})
    article = services.update_article(
        article, actor=knowledge_manager, changes={"body": "Use the new client."}, note="New client"
    )
    assert article.current_version == 2 and "new client" in article.body_html
    article = services.restore_version(article, 1, actor=knowledge_manager)
    assert article.current_version == 3 and article.body == "Open the VPN client and sign in."
    assert article.versions.get(number=3).note == "Restored from version 1"
    with pytest.raises(ValidationError):
        services.restore_version(article, 9, actor=knowledge_manager)
    with pytest.raises(PermissionDenied):
        services.restore_version(article, 1, actor=agent)


def test_stale_versions_are_refused(make_article, agent):
    article = make_article("draft")
    services.update_article(article, actor=agent, changes={"title": "A"}, expected_version=article.version)
    with pytest.raises(StaleVersion):
        services.update_article(
            article, actor=agent, changes={"title": "B"}, expected_version=article.version
        )


def test_team_audience_needs_teams(agent, base):
    with pytest.raises(ValidationError):
        services.create_article(actor=agent, base=base, title="T", body="b", audience="teams")
    assert not Article.objects.exists()


def test_review_reminders_once_per_date(make_article, agent):
    article = make_article(review_by=timezone.localdate() + timedelta(days=3))
    assert services.remind_reviews() == 1
    assert services.remind_reviews() == 0
    task = article.review_tasks.get()
    assert task.assignee == agent and task.reason == "review_due"
    assert Notification.objects.filter(recipient=agent, title__contains="Review date").exists()
