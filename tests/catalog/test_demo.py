from catalog.models import CatalogItem, FulfilmentTask, Request
from itsm.core.demo import seed_demo
from itsm.sla.models import SLAClock


def test_demo_catalog_seeds_items_requests_and_clocks(db):
    seed_demo()
    assert CatalogItem.objects.filter(slug="standard-laptop").exists()
    assert Request.objects.count() == 2
    assert FulfilmentTask.objects.exists()
    assert SLAClock.objects.filter(task__kind="fulfilment_task").exists()
    seed_demo()  # idempotent
    assert Request.objects.count() == 2
