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
    """Labels of the main navigation's menus and of the account menu."""
    navs = re.findall(r'<nav class="nav[^"]*" aria-label="(?:Main|Account)">(.*?)</nav>', html, re.S)
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


def menus(html: str) -> dict[str, list[str]]:
    """Main navigation: each menu's name → the labels of its links."""
    main = re.search(r'<nav class="nav" aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    found = re.findall(r"<summary>([^<]+)</summary>(.*?)</details>", main, re.S)
    return {
        name: [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", body)] for name, body in found
    }


def test_a_manager_finds_the_practices_in_a_few_menus(client_for, manager):
    # when
    html = client_for(manager).get(reverse("core:workspace")).content.decode()

    # then: a handful of menus and single links instead of one long wrapping row
    found = menus(html)
    assert list(found) == ["Work", "Practices", "Reports"]
    assert found["Work"][:3] == ["Workspace", "Incidents", "New incident"]
    assert {"Problems", "Changes", "Services", "Configuration items"} <= set(found["Practices"])
    assert found["Reports"][0] == "Dashboards"
    top_level = re.findall(r'<a class="nav-link" [^>]*>([^<]+)</a>', html)
    assert top_level == ["Knowledge", "Portal"]


def test_an_admin_has_an_admin_menu_and_a_requester_no_menus(client_for, admin_user, requester):
    # when
    admin_html = client_for(admin_user).get(reverse("portal:home")).content.decode()
    requester_html = client_for(requester).get(reverse("portal:home")).content.decode()

    # then
    assert menus(admin_html)["Admin"][:2] == ["System", "Admin"]
    assert menus(requester_html) == {}
    assert re.findall(r'<a class="nav-link" [^>]*>([^<]+)</a>', requester_html) == ["Portal"]


def test_the_account_menu_holds_the_personal_links_and_sign_out(client_for, requester):
    # when
    html = client_for(requester).get(reverse("portal:home")).content.decode()

    # then
    account = re.search(r'<nav class="nav nav-user" aria-label="Account">(.*?)</nav>', html, re.S).group(1)
    assert "<summary>" in account
    links = [a.strip() for a in re.findall(r"<a [^>]*>([^<]+)</a>", account)]
    assert {"Change password", "E-mail settings", "API docs"} <= set(links)
    assert links[0] == "Change password"
    assert '<button type="submit" class="nav-button">Sign out</button>' in account


def test_the_menu_of_the_current_page_is_marked(client_for, manager):
    # when
    html = client_for(manager).get(reverse("change:workspace")).content.decode()

    # then: the link is marked; CSS marks its menu's name from that (details:has([aria-current]))
    practices = re.search(r"<summary>Practices</summary>(.*?)</details>", html, re.S).group(1)
    assert re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', practices) == ["Changes"]


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
