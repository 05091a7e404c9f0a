"""What the catalog adds to the portal: items to request in the home page's search.
Discovered by `itsm.portal` when it starts (see `itsm/portal/search.py`)."""

from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db.models import Q
from django.urls import reverse

from catalog.models import CatalogItem
from itsm.portal import search


@search.register
def items(user: User, query: str, limit: int) -> search.Section:
    """Active items the reader may order whose name, description or category matches (the
    catalog home's own search), most ordered first."""
    found = (
        CatalogItem.objects.visible_to(user)
        .filter(is_active=True)
        .filter(
            Q(name__icontains=query)
            | Q(short_description__icontains=query)
            | Q(category__name__icontains=query)
        )
        .select_related("category")
        .order_by("-order_count", "id")[:limit]
    )
    results = [
        search.Result(
            title=item.name,
            url=item.get_absolute_url(),
            text=item.short_description,
            meta=item.category.name if item.category_id else "",
        )
        for item in found
    ]
    more = f"{reverse('catalog:home')}?{urlencode({'q': query})}"
    return search.Section(
        key="catalog", heading="Things you can request", results=results, more_url=more, order=20
    )
