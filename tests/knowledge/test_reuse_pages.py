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


@pytest.fixture
def incident(requester, agent):
    from incidents import services as incident_services

    return incident_services.create_incident(
        actor=requester, title="VPN disconnects on hotel wifi", description="It drops."
    )


def test_incident_panel_inserts_an_article_and_records_its_use(incident, make_article, agent, requester):
    from knowledge.models import ArticleUse
    from knowledge.services.figures import reuse_count

    article = make_article(title="VPN disconnects every few minutes", summary="Turn off Wi-Fi power saving.")
    panel = client_as(agent).get(reverse("knowledge:for-task", args=[incident.pk])).content.decode()
    action = reverse("knowledge:use-on-task", args=[incident.pk, article.pk])
    assert action in panel and 'value="summary"' in panel
    answer = client_as(agent).post(action, {"mode": "summary"}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    text = answer.json()["text"]
    assert text.startswith("Turn off Wi-Fi power saving.") and article.get_portal_url() in text
    # the answer carries the redrawn "Used on" line for the panel (escaped, with the article)
    used_html = answer.json()["used_html"]
    assert used_html.startswith("<div data-kb-used>") and f"Used on {incident.number}" in used_html
    assert article.number in used_html
    assert ArticleUse.objects.filter(article=article, task_number=incident.number, user=agent).exists()
    # once only, and the panel shows it as used; reuse figures count it
    client_as(agent).post(action, {"mode": "link"}, HTTP_ACCEPT="application/json")
    assert ArticleUse.objects.filter(article=article).count() == 1
    panel = client_as(agent).get(reverse("knowledge:for-task", args=[incident.pk])).content.decode()
    assert f"Used on {incident.number}" in panel
    assert reuse_count() == 1


def test_insert_without_script_redirects_with_the_text(incident, make_article, agent):
    article = make_article(title="VPN disconnects every few minutes")
    action = reverse("knowledge:use-on-task", args=[incident.pk, article.pk])
    response = client_as(agent).post(action, {"mode": "link"}, follow=True)
    assert response.redirect_chain[-1][0] == incident.get_absolute_url()
    assert "Text for the reply: VPN disconnects every few minutes: http" in response.content.decode()


def test_requesters_and_hidden_articles_cannot_be_used(incident, make_article, agent, requester):
    from knowledge.models import ArticleUse

    draft = make_article("draft", title="VPN draft")
    published = make_article(title="VPN disconnects every few minutes")
    use = lambda article: reverse("knowledge:use-on-task", args=[incident.pk, article.pk])  # noqa: E731
    assert client_as(requester).post(use(published)).status_code == 403
    assert client_as(agent).post(use(draft)).status_code == 404
    assert client_as(agent).get(use(published)).status_code == 405
    assert client_as(agent).post(use(published)).status_code == 302
    assert list(ArticleUse.objects.values_list("article_id", flat=True)) == [published.pk]


def test_the_used_on_line_escapes_titles(incident, make_article, agent):
    article = make_article(title="VPN <script>alert(1)</script> drops")
    action = reverse("knowledge:use-on-task", args=[incident.pk, article.pk])
    answer = client_as(agent).post(action, {"mode": "link"}, HTTP_ACCEPT="application/json")
    used_html = answer.json()["used_html"]
    assert "<script>" not in used_html and "&lt;script&gt;" in used_html
