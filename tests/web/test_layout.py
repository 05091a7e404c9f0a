"""The base layout: navigation by role, active surface, local assets only, accessibility hooks."""

import re

import pytest
from django.urls import reverse

#: role → navigation labels it must see and must not see.
NAV = {
    "requester": ({"Portal", "API docs"}, {"Workspace", "Dashboards", "Services", "System", "Admin"}),
    "agent": ({"Workspace", "Portal", "Services", "Configuration items"}, {"Dashboards", "System", "Admin"}),
    "manager": ({"Workspace", "Portal", "Dashboards"}, {"System", "Admin"}),
    "change_manager": ({"Workspace", "Portal"}, {"Dashboards", "Admin"}),
    "knowledge_manager": ({"Workspace", "Portal"}, {"Dashboards", "Admin"}),
    "admin": ({"Workspace", "Portal", "Dashboards", "System", "Admin", "API docs"}, set()),
}


def nav_labels(html: str) -> set[str]:
    """Labels of the main navigation and of the tools beside the user's menu."""
    navs = re.findall(r'<nav class="nav[^"]*" aria-label="(?:Main|Tools)">(.*?)</nav>', html, re.S)
    return {label.strip() for nav in navs for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)}


@pytest.mark.parametrize("role", list(NAV))
def test_navigation_follows_the_role(client_for, personas, role):
    # given
    must_see, must_not_see = NAV[role]

    # when
    html = client_for(personas[role]).get(reverse("portal:home")).content.decode()

    # then
    labels = nav_labels(html)
    assert must_see <= labels
    assert not (must_not_see & labels)


def test_the_current_surface_is_marked(client_for, manager):
    # when
    html = client_for(manager).get(reverse("dashboards:home")).content.decode()

    # then
    assert '<body data-surface="dashboards"' in html
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', html) == [reverse("dashboards:home")]


def test_layout_uses_only_local_assets(client_for, agent):
    # when
    html = client_for(agent).get(reverse("core:workspace")).content.decode()

    # then
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html
    assert 'href="/static/itsm/css/itsm.css"' in html


def test_layout_has_skip_link_title_and_user(client_for, agent):
    # given
    agent.first_name, agent.last_name = "Andy", "Agent"
    agent.save()

    # when
    html = client_for(agent).get(reverse("core:workspace")).content.decode()

    # then
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main" tabindex="-1">' in html
    assert "<title>My work · ITSM</title>" in html
    assert "Andy Agent" in html and "Agent" in html


def test_static_files_are_served(client, db):
    # when
    css = client.get("/static/itsm/css/itsm.css")
    htmx = client.get("/static/django_htmx/htmx-2.min.js")

    # then
    assert css.status_code == 200
    assert htmx.status_code == 200
