"""django-filter backend that answers unknown or malformed filters with 400, never silence."""

from django_filters.rest_framework import DjangoFilterBackend

from itsm.api.errors import BadQuery

#: Query parameters that belong to pagination, ordering and rendering, not to filters.
RESERVED_PARAMS = frozenset({"cursor", "page_size", "ordering", "format"})


class StrictFilterBackend(DjangoFilterBackend):
    """A typo in a filter name returns 400 listing the valid names, instead of every record."""

    def filter_queryset(self, request, queryset, view):
        allowed = set(RESERVED_PARAMS) | set(getattr(view, "extra_query_params", ()))
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise BadQuery(
                f"Unknown query parameter(s): {', '.join(unknown)}. Valid here: {', '.join(sorted(allowed))}."
            )
        return super().filter_queryset(request, queryset, view)
