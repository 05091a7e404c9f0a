"""Person and CI variables: a type-ahead (htmx fragment of radio buttons) over what the person
ordering may pick, and the forms engine accepting only that on submission, from every surface."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.choices import VariableType
from catalog.models import Request
from itsm.cmdb.choices import CIStatus
from itsm.cmdb.models import ServiceComponent
from tests.factories import ConfigurationItemFactory, ServiceFactory, UserFactory


@pytest.fixture
def access_item(make_item):
    """Application access: whose access to copy (a person) and which application (a CI)."""
    service = ServiceFactory(name="Finance apps")
    item = make_item(
        slug="app-access",
        name="Application access",
        service=service,
        variables=[
            {"name": "same_as", "label": "Same access as", "type": VariableType.USER},
            {"name": "application", "label": "Application", "type": VariableType.CI, "required": True},
        ],
    )
    return item


@pytest.fixture
def ledger(access_item):
    ci = ConfigurationItemFactory(name="ledger-app")
    ServiceComponent.objects.create(service=access_item.service, configuration_item=ci)
    return ci


def lookup(client, item, variable, typed, chosen=None):
    params = {f"lookup-{variable}": typed}
    if chosen is not None:
        params[variable] = chosen
    return client.get(reverse("catalog:lookup", args=[item.slug, variable]), params, HTTP_HX_REQUEST="true")


def test_item_page_renders_search_boxes_not_a_long_dropdown(access_item, client, requester):
    UserFactory.create_batch(3)
    client.force_login(requester)
    body = client.get(access_item.get_absolute_url()).content.decode()
    assert 'type="search" id="v-same_as" name="lookup-same_as"' in body
    assert reverse("catalog:lookup", args=[access_item.slug, "same_as"]) in body
    assert '<select id="v-same_as"' not in body and "Choose a person" not in body


def test_people_search_matches_names_user_names_and_email(access_item, client, requester):
    ann = UserFactory(username="alee", first_name="Ann", last_name="Lee", email="ann.lee@example.org")
    UserFactory(username="bob", first_name="Bob", last_name="Brown")
    UserFactory(username="ann.gone", first_name="Ann", last_name="Gone", is_active=False)
    client.force_login(requester)

    by_name = lookup(client, access_item, "same_as", "ann lee").content.decode()
    by_mail = lookup(client, access_item, "same_as", "ann.lee@").content.decode()

    for body in (by_name, by_mail):
        assert f'name="same_as" value="{ann.pk}"' in body and "Ann Lee" in body
        assert "Bob Brown" not in body and "Ann Gone" not in body
    assert "1 match: pick one" in by_name


def test_the_current_choice_stays_on_top_while_searching_again(access_item, client, requester):
    ann = UserFactory(first_name="Ann", last_name="Lee")
    client.force_login(requester)
    body = lookup(client, access_item, "same_as", "zzz", chosen=ann.pk).content.decode()
    assert f'value="{ann.pk}" checked' in body and "Nothing matches “zzz”" in body
    assert 'id="v-same_as-none"' in body  # optional: the choice can be cleared


def test_requesters_pick_only_cis_of_the_items_service(access_item, ledger, client, requester, agent):
    ConfigurationItemFactory(name="ledger-db")  # in the CMDB, not part of the service
    ConfigurationItemFactory(name="ledger-old", status=CIStatus.RETIRED)
    client.force_login(requester)
    mine = lookup(client, access_item, "application", "ledger").content.decode()
    assert "ledger-app" in mine and "ledger-db" not in mine and "ledger-old" not in mine
    client.force_login(agent)
    staff = lookup(client, access_item, "application", "ledger").content.decode()
    assert "ledger-app" in staff and "ledger-db" in staff and "ledger-old" not in staff


def test_the_same_scope_is_enforced_on_submission(access_item, ledger, order):
    hidden = ConfigurationItemFactory(name="core-router")
    with pytest.raises(ValidationError) as caught:
        order(access_item, {"application": str(hidden.pk)})
    assert caught.value.message_dict == {
        "items.0.values.application": ["Pick a configuration item from the list."]
    }
    placed = order(access_item, {"application": {"id": ledger.pk}})
    assert placed.items.get().values == {"application": {"id": ledger.pk, "label": "ledger-app"}}


def test_a_portal_post_with_a_picked_person_orders_and_shows_the_name(access_item, ledger, client, requester):
    ann = UserFactory(first_name="Ann", last_name="Lee")
    client.force_login(requester)
    response = client.post(
        access_item.get_absolute_url(),
        {"same_as": ann.pk, "lookup-same_as": "ann", "application": ledger.pk, "quantity": "1"},
    )
    placed = Request.objects.get()
    assert response.status_code == 302
    assert placed.items.get().values["same_as"] == {"id": ann.pk, "label": "Ann Lee"}
    assert "Ann Lee" in client.get(placed.get_absolute_url()).content.decode()


def test_a_bad_pick_redisplays_the_form_with_the_error(access_item, ledger, client, requester):
    gone = UserFactory(first_name="Old", last_name="Account", is_active=False)
    client.force_login(requester)
    response = client.post(
        access_item.get_absolute_url(), {"same_as": gone.pk, "application": ledger.pk, "quantity": "1"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Pick a person from the list." in body
    assert f'value="{ledger.pk}" checked' in body  # the valid choice is kept
    assert not Request.objects.exists()


def test_lookup_endpoint_refuses_what_is_not_a_lookup(
    access_item, make_item, client, requester, other_requester
):
    client.force_login(requester)
    assert client.get(reverse("catalog:lookup", args=[access_item.slug, "nope"])).status_code == 404
    hidden = make_item(slug="secret", name="Secret", audience="teams",
                       variables=[{"name": "who", "label": "Who", "type": VariableType.USER}])  # fmt: skip
    assert lookup(client, hidden, "who", "a").status_code == 404
    client.logout()
    assert lookup(client, access_item, "same_as", "a").status_code == 302  # to sign-in


def test_lookup_query_count_does_not_grow_with_matches(
    access_item, client, requester, django_assert_max_num_queries
):
    UserFactory.create_batch(30, first_name="Sam")
    client.force_login(requester)
    with django_assert_max_num_queries(8):
        body = lookup(client, access_item, "same_as", "sam").content.decode()
    assert body.count('type="radio"') == 20
