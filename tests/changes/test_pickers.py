"""The change form's type-ahead pickers: the form never lists every CI, the search endpoint
answers in a fixed number of queries, staff only, user text escaped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ConfigurationItemFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def pick(client, kind, query, field):
    return client.get(reverse("change:pick", args=[kind]), {f"{field}_search": query}, HTTP_HX_REQUEST="true")


def test_the_new_change_form_lists_no_cis_only_a_search_box(as_user, agent):
    ConfigurationItemFactory(name="vm-unlisted-42")
    page = as_user(agent).get(reverse("change:create")).content.decode()
    assert "vm-unlisted-42" not in page
    assert 'type="search"' in page and reverse("change:pick", args=["cis"]) in page
    assert reverse("change:pick", args=["services"]) in page


def test_the_edit_form_shows_the_chosen_cis_checked(as_user, agent, make_change, database_ci):
    ConfigurationItemFactory(name="vm-not-chosen")
    change = make_change()
    form = (
        as_user(agent).get(reverse("change:edit", args=[change.pk]), HTTP_HX_REQUEST="true").content.decode()
    )
    assert f'name="affected_cis" value="{database_ci.pk}" checked' in form
    assert "vm-not-chosen" not in form


def test_search_finds_cis_and_services_by_name(as_user, agent):
    ConfigurationItemFactory(name="db-payroll-02")
    ConfigurationItemFactory(name="web-shop-01")
    ServiceFactory(name="Payroll")
    client = as_user(agent)
    cis = pick(client, "cis", "payroll", "affected_cis").content.decode()
    assert "db-payroll-02" in cis and "web-shop-01" not in cis and 'name="affected_cis"' in cis
    services = pick(client, "services", "payr", "affected_services").content.decode()
    assert "Payroll" in services and 'name="affected_services"' in services
    assert "at least 2" in pick(client, "cis", "p", "affected_cis").content.decode()
    assert "Nothing matches" in pick(client, "cis", "zzz-none", "affected_cis").content.decode()


def test_search_costs_the_same_queries_however_many_cis_match(as_user, agent):
    client = as_user(agent)
    ConfigurationItemFactory(name="app-01")
    pick(client, "cis", "app", "affected_cis")  # warm the session
    with CaptureQueriesContext(connection) as few:
        pick(client, "cis", "app", "affected_cis")
    for number in range(30):
        ConfigurationItemFactory(name=f"app-{number + 2:02}")
    with CaptureQueriesContext(connection) as many:
        body = pick(client, "cis", "app", "affected_cis").content.decode()
    assert len(many) == len(few)
    assert body.count('name="affected_cis"') == 20 and "type more" in body


def test_choosing_a_searched_ci_saves_it(as_user, agent, make_change, database_ci):
    other = ConfigurationItemFactory(name="vm-payroll-07")
    change = make_change()
    client = as_user(agent)
    form = client.get(reverse("change:edit", args=[change.pk]), HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    from tests.changes.test_collisions_on_save import edit_data

    data = edit_data(change, affected_cis=[database_ci.pk, other.pk])
    assert client.post(reverse("change:edit", args=[change.pk]), data).status_code == 302
    assert set(change.affected_cis.values_list("name", flat=True)) == {"db-payroll-01", "vm-payroll-07"}


def test_requesters_cannot_search_and_user_text_is_escaped(as_user, agent, requester):
    ConfigurationItemFactory(name="<b>x-ci</b>")
    client = as_user(requester)
    assert pick(client, "cis", "x-ci", "affected_cis").status_code == 403
    body = as_user(agent).get(reverse("change:pick", args=["cis"]), {"q": "<b>x"}).content.decode()
    assert "<b>x-ci</b>" not in body and "&lt;b&gt;x-ci&lt;/b&gt;" in body
    assert as_user(agent).get(reverse("change:pick", args=["nope"])).status_code == 404
