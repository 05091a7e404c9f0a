from django.core.management import call_command

from catalog.models import CatalogItem, Request, RequestItem
from itsm.core.demo import seed_demo


def test_seed_catalog_builds_items_and_history(db):
    seed_demo()
    before = RequestItem.objects.count()
    call_command("seed_catalog", "--catalog-items", "3", "--request-items", "50", "--chunk", "20")
    assert CatalogItem.objects.filter(slug__startswith="bulk-").count() == 3
    assert RequestItem.objects.count() - before == 50
    item = (
        RequestItem.objects.filter(catalog_item__slug__startswith="bulk-")
        .select_related("parent_request")
        .first()
    )
    assert item.number.startswith("RITM") and item.parent_request.number.startswith("REQ")
    assert Request.objects.visible_to(item.requester).filter(pk=item.parent_request_id).exists()
