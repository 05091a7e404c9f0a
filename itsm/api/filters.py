"""django-filter backend: the shared FilterSets, plus sync filters on every list, and 400 for
unknown or malformed filters, never silence."""

from datetime import UTC, datetime

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from itsm.api.errors import BadQuery

#: Query parameters that belong to pagination, ordering and rendering, not to filters.
RESERVED_PARAMS = frozenset({"cursor", "page_size", "ordering", "format", "fields", "expand"})

#: The timestamp a sync client follows, by preference; the first one the model has is used.
SYNC_FIELDS = ("updated_at", "created_at")

_WITH_SYNC: dict[tuple, type] = {}


def sync_field(model) -> str | None:
    for name in SYNC_FIELDS:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return name
    return None


def with_sync_filters(filterset_class, model):
    """`filterset_class` (or a bare one for `model`) with `updated_after` / `updated_before`.

    Half-open like the dashboards' drill-downs: `updated_after <= t < updated_before`, so a sync
    client that stores the newest `updated_at` it saw and asks again loses nothing.
    """
    field = sync_field(model)
    if field is None:
        return filterset_class
    key = (filterset_class, model)
    if key not in _WITH_SYNC:
        base = filterset_class or django_filters.FilterSet
        attrs = {}
        if "updated_after" not in base.base_filters:
            attrs["updated_after"] = django_filters.IsoDateTimeFilter(field_name=field, lookup_expr="gte")
        if "updated_before" not in base.base_filters:
            attrs["updated_before"] = django_filters.IsoDateTimeFilter(field_name=field, lookup_expr="lt")
        if not attrs and filterset_class is not None:
            _WITH_SYNC[key] = filterset_class
        else:
            meta = type("Meta", (getattr(base, "Meta", object),), {"model": model})
            if filterset_class is None:
                meta.fields = []
            name = (
                filterset_class.__name__ if filterset_class else model.__name__ + "FilterSet"
            ) + "WithSync"
            _WITH_SYNC[key] = type(name, (base,), {**attrs, "Meta": meta, "__module__": base.__module__})
    return _WITH_SYNC[key]


class StrictFilterBackend(DjangoFilterBackend):
    """A typo in a filter name returns 400 listing the valid names, instead of every record."""

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        model = getattr(queryset, "model", None)
        if model is None or getattr(view, "action", "list") != "list":
            return filterset_class
        return with_sync_filters(filterset_class, model)

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
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        _datetimes_in_utc(filterset.form.cleaned_data)
        return filterset.qs


def _datetimes_in_utc(cleaned: dict) -> None:
    """Filter instants in UTC: ISO 8601 allows offsets up to ±23:59 but PostgreSQL refuses any
    beyond ±15:59 (a 500); and an instant that leaves the calendar in UTC is a field error."""
    for name, value in cleaned.items():
        if isinstance(value, datetime) and value.tzinfo is not None:
            try:
                cleaned[name] = value.astimezone(UTC)
            except (OverflowError, ValueError):
                raise ValidationError({name: ["This instant is out of range."]}) from None
