"""The portal home's search box: knowledge articles and catalog items side by side, through the
portal's provider registry (the portal imports neither practice)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import CatalogItem
from catalog.models import Category as CatalogCategory
from itsm.portal import search as portal_search

SEARCH = reverse("portal:search")


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def content(make_article):
    shelf = CatalogCategory.objects.create(name="Network", slug="network")
    CatalogItem.objects.create(
        category=shelf,
        slug="vpn-access",
        name="VPN access",
        short_description="Work from home",
        delivery_time=timedelta(days=1),
    )
    CatalogItem.objects.create(
        category=shelf,
        slug="retired-vpn",
        name="Old VPN token",
        short_description="Gone",
        delivery_time=timedelta(days=1),
        is_active=False,
    )
    make_article(title="Connect to the VPN from home", summary="Install the client and sign in.")
    make_article(title="VPN concentrator runbook", audience="agents")
    make_article("draft", title="VPN draft notes")


def test_home_search_box_goes_to_the_portal_search(requester):
    html = client_as(requester).get(reverse("portal:home")).content.decode()
    assert f'action="{SEARCH}"' in html
    assert {"knowledge", "catalog"} <= {section.key for section in portal_search.search_all(requester, "x")}


def test_articles_and_items_side_by_side_answers_first(content, requester):
    html = client_as(requester).get(SEARCH, {"q": "vpn"}).content.decode()
    answers, items = html.index('data-section="knowledge"'), html.index('data-section="catalog"')
    assert answers < items
    assert "Connect to the VPN from home" in html and "Install the client and sign in." in html
    assert "VPN access" in html
    assert "VPN concentrator runbook" not in html  # agents only
    assert "VPN draft notes" not in html and "Old VPN token" not in html
    assert f"{reverse('knowledge:search')}?q=vpn" in html and f"{reverse('catalog:home')}?q=vpn" in html


def test_agents_see_agent_articles_too(content, agent):
    html = client_as(agent).get(SEARCH, {"q": "vpn"}).content.decode()
    assert "VPN concentrator runbook" in html


def test_nothing_found_offers_the_front_doors_and_the_query_is_escaped(content, requester):
    html = client_as(requester).get(SEARCH, {"q": "<script>zzz</script>"}).content.decode()
    assert "Nothing found for" in html and "<script>zzz" not in html and "&lt;script&gt;zzz" in html
    assert reverse("incident:report") in html
    empty = client_as(requester).get(SEARCH, {"q": "  "})
    assert empty.status_code == 200 and "Nothing found" not in empty.content.decode()


def test_search_needs_sign_in_and_a_bounded_query(requester, django_assert_max_num_queries):
    assert Client().get(SEARCH, {"q": "vpn"}).status_code == 302
    client = client_as(requester)
    with django_assert_max_num_queries(12):
        assert client.get(SEARCH, {"q": "vpn " * 200}).status_code == 200
