"""Cursor pagination that needs an ordering and caps the page size."""

from django.conf import settings
from rest_framework.pagination import CursorPagination


class OrderedCursorPagination(CursorPagination):
    """Stable pages over changing data. `?ordering=` picks one of the view's orderings.

    Refuses unordered querysets: a page boundary on an unstable order loses records.
    """

    page_size_query_param = "page_size"
    ordering = "-id"

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "ordering", None) or self.ordering
        if not ordering:
            raise AssertionError(f"{view.__class__.__name__} must declare an ordering")
        requested = request.query_params.get("ordering")
        allowed = getattr(view, "ordering_fields", ())
        if requested:
            field = requested.lstrip("-")
            if field not in allowed:
                from itsm.api.errors import BadQuery

                raise BadQuery(
                    f"Cannot order by {requested!r}. Choose from: "
                    + ", ".join(sorted(allowed) or ["(none)"])
                    + "."
                )
            # A tie-breaker keeps the cursor stable when many rows share a value.
            return (requested, "-id" if requested.startswith("-") else "id")
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
