"""Changing an item never changes the requests already made with it."""

from catalog.models import Variable
from catalog.services import publish_item


def test_requests_keep_their_version(laptop, order, client, requester):
    before = order(laptop, {"model": "std"}).items.get()
    # when: the admin renames a choice, adds a required field and republishes
    Variable.objects.filter(item=laptop, name="model").update(
        label="Laptop model", choices="std|Basic\nmac|Mac"
    )
    Variable.objects.create(
        item=laptop, name="cost_centre", label="Cost centre", type="text", required=True, order=99
    )
    version = publish_item(laptop, actor=None)
    # then
    assert version.number == 2
    before.refresh_from_db()
    assert before.item_version.number == 1
    assert "cost_centre" not in {v["name"] for v in before.item_version.variables}
    after = order(laptop, {"model": "mac", "cost_centre": "4711"}).items.get()
    assert after.item_version.number == 2
    client.force_login(requester)
    assert "Model" in client.get(before.get_absolute_url(), follow=True).content.decode()


def test_publishing_an_unchanged_item_makes_no_new_version(laptop):
    assert publish_item(laptop, actor=None).number == 1
