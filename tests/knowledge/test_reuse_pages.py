"""Knowledge from and for other records: a known error published as an article from the problem
page; articles inserted into an incident reply and counted as used in its resolution."""

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import Article, KnowledgeBase
from problems import services as problem_services


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def known_error(agent):
    KnowledgeBase.objects.create(name="IT internal", slug="it-internal", is_internal=True)
    problem = problem_services.create_problem(actor=agent, title="Relay drops mail")
    problem = problem_services.update_rca(problem, actor=agent, changes={"root_cause": "Expired certificate"})
    return problem_services.publish_workaround(problem, actor=agent, workaround="Restart the relay")


def test_known_error_published_from_the_problem_page(known_error, agent, requester):
    page = client_as(agent).get(known_error.get_absolute_url())
    action = reverse("knowledge:from-known-error", args=[known_error.pk])
    assert action in page.content.decode()
    response = client_as(agent).post(action)
    article = Article.objects.get(source_number=known_error.number)
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert (article.state, article.audience) == ("in_review", "agents")
    assert client_as(requester).post(action).status_code in (403, 404)
    assert Article.objects.count() == 1


def test_a_problem_that_is_not_a_known_error_is_refused_with_a_message(agent):
    problem = problem_services.create_problem(actor=agent, title="Unclear slowness")
    response = client_as(agent).post(reverse("knowledge:from-known-error", args=[problem.pk]), follow=True)
    assert "Only a known error" in response.content.decode()
    assert not Article.objects.exists()
