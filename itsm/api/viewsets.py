"""Base viewsets: every API list and record starts from the model's `visible_to(user)`.

The mixin also gives every endpoint the same record behaviour:
- `ETag` on each record response, `If-None-Match` → 304 on a record GET;
- `If-Match` on every update and transition (a stale one → 412 `stale_version` with the
  current representation; versioned records are compared again under the service's row lock);
- `?fields=` (top level and `a.b` into expanded objects) and `?expand=` on lists and records.
"""

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from itsm.api import serializers as shaping
from itsm.api.concurrency import PreconditionFailed, etag_of_data, if_match, none_match
from itsm.api.errors import BadQuery
from itsm.api.permissions import RolePermission
from itsm.api.record_schema import RecordAutoSchema
from itsm.api.serializers import FieldsBuiltOnce
from itsm.core import roles
from itsm.core.filtersets import MAX_ID

#: Actions whose answer may be shaped with ?fields= and ?expand=.
SHAPED_ACTIONS = frozenset({"list", "retrieve"})


class RecordBehaviourMixin:
    """ETags, preconditions and response shaping; needs a GenericViewSet with a serializer."""

    schema = RecordAutoSchema()

    # --- preconditions -------------------------------------------------------------------

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._shape = None
        if request.method == "GET" and self.action in SHAPED_ACTIONS:
            self._shape = self._parse_shape(request)
        elif request.method not in ("GET", "HEAD", "OPTIONS") and self._is_record_route():
            tags = if_match(request)
            if tags:
                self._check_if_match(tags)

    def _is_record_route(self) -> bool:
        return (self.lookup_url_kwarg or self.lookup_field) in self.kwargs

    def _is_this_record(self, response) -> bool:
        """The answer is the record of the URL (not a reply, link or list hanging off it)."""
        return str(response.data.get("id")) == str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])

    def _check_if_match(self, tags: list[str]) -> None:
        current = self.current_representation()
        if current is None:
            return  # not found or not visible: the action answers 404 itself
        if etag_of_data(current) not in tags:
            raise PreconditionFailed(current=current)

    def current_representation(self):
        """The record as a GET of it would show it now (None when it is not visible)."""
        action = self.action
        try:
            self.action = "retrieve"
            record = self.get_object()
            return self.get_serializer(record).data
        except Exception:
            return None
        finally:
            self.action = action

    def perform_update(self, serializer):
        """Writes of records without a `version`: the If-Match check again, under a row lock."""
        tags = if_match(self.request)
        instance = serializer.instance
        if not tags or hasattr(instance, "version"):
            return super().perform_update(serializer)
        with transaction.atomic():
            type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
            instance.refresh_from_db()
            current = self.get_serializer(instance).data
            if etag_of_data(current) not in tags:
                raise PreconditionFailed(current=current)
            return super().perform_update(serializer)

    # --- shaping -------------------------------------------------------------------------

    def expansions(self) -> dict:
        from itsm.api import expansions  # noqa: F401  (registers the platform's expansions)

        model = getattr(getattr(self, "queryset", None), "model", None)
        return shaping.expandable_fields(self.get_serializer_class(), model)

    def _parse_shape(self, request):
        fields = shaping.parse_names(request.query_params.get("fields"))
        expand = shaping.parse_names(request.query_params.get("expand"))
        if not fields and not expand:
            return None
        expansions = self.expansions()
        unknown = sorted(set(expand) - set(expansions))
        if unknown:
            raise BadQuery(
                f"Cannot expand {', '.join(unknown)}. Expandable here: "
                + (", ".join(sorted(expansions)) or "(none)")
                + "."
            )
        try:
            valid = set(self.get_serializer_class()().fields)
        except Exception:
            valid = set()
        tree = shaping.field_tree(fields)
        bad = [name for name in tree if name not in valid]
        for name, sub in tree.items():
            if sub and name in valid:
                if name not in expand:
                    bad.append(f"{name}.{next(iter(sub))} (expand {name} to select inside it)")
                else:
                    inner = expansions[name].field_names()
                    bad += [f"{name}.{key}" for key in sub if key not in inner]
        if bad:
            raise BadQuery(
                f"Unknown field(s): {', '.join(sorted(bad))}. Valid fields here: {', '.join(sorted(valid))}."
            )
        return tree, expand, expansions

    def _shaped(self, data):
        tree, expand, expansions = self._shape
        paginated = isinstance(data, dict) and "results" in data and isinstance(data["results"], list)
        items = data["results"] if paginated else [data] if isinstance(data, dict) else data
        if expand:
            shaping.expand_items(items, expand, expansions, self.request)
        items = shaping.prune(items, tree)
        if paginated:
            return {**data, "results": items}
        return items[0] if isinstance(data, dict) else items

    # --- response ------------------------------------------------------------------------

    def finalize_response(self, request, response, *args, **kwargs):
        ok = isinstance(response, Response) and 200 <= response.status_code < 300
        if (
            ok
            and isinstance(response.data, dict)
            and self._is_record_route()
            and self._is_this_record(response)
        ):
            if not response.has_header("ETag"):
                response["ETag"] = etag_of_data(response.data)
            if request.method == "GET" and none_match(request, response["ETag"]):
                response = Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": response["ETag"]})
        elif (
            ok
            and response.status_code == 201
            and isinstance(response.data, dict)
            and "id" in response.data
            and not self._is_record_route()
            and not response.has_header("ETag")
        ):
            response["ETag"] = etag_of_data(response.data)
        if ok and response.status_code != 304 and getattr(self, "_shape", None) and response.data is not None:
            response.data = self._shaped(response.data)
        return super().finalize_response(request, response, *args, **kwargs)


class VisibleViewSetMixin(RecordBehaviourMixin):
    """Declare `queryset` (with select_related/prefetch for the serializer), `ordering`,
    `filterset_class`, and the roles; the mixin narrows to what the user may see."""

    permission_classes = [RolePermission]
    lookup_value_regex = r"[0-9]+"
    read_roles = None
    ordering = "-id"
    ordering_fields: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        if hasattr(queryset, "visible_to"):
            return queryset.visible_to(self.request.user)
        return self.scope_queryset(queryset, self.request.user)

    def scope_queryset(self, queryset, user):
        """Models without `visible_to` (configuration): the roles decide; override to narrow."""
        return queryset

    def get_object(self):
        # Ids beyond the 64-bit key range cannot exist (and overflow some database drivers).
        if int(self.kwargs[self.lookup_url_kwarg or self.lookup_field]) > MAX_ID:
            raise Http404
        return super().get_object()


class ReadOnlyVisibleViewSet(VisibleViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only."""


class VisibleModelViewSet(
    VisibleViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create, read and update; deletion is left to the admin (records are referenced)."""


class ConfigurationViewSet(ReadOnlyVisibleViewSet):
    """A configuration object the UI manages (in the admin or a settings page), readable here with
    the roles that use it. Changes stay where the UI makes them, which validates them."""

    read_roles = roles.STAFF_ROLES
    #: A user field that limits rows to the caller's own (personal settings such as saved views).
    owner_field: str | None = None
    #: A foreign key whose model has `visible_to`: rows of records the caller cannot see are hidden.
    visible_through: str | None = None

    def scope_queryset(self, queryset, user):
        if self.owner_field:
            queryset = queryset.filter(**{self.owner_field: user})
        if self.visible_through:
            related = queryset.model
            for part in self.visible_through.split("__"):
                related = related._meta.get_field(part).related_model
            visible = related._default_manager.visible_to(user).values("pk")
            queryset = queryset.filter(**{f"{self.visible_through}__in": visible})
        return queryset


def configuration_viewset(
    queryset,
    *,
    name: str,
    doc: str,
    fields="__all__",
    exclude=None,
    read_roles=roles.STAFF_ROLES,
    owner_field: str | None = None,
    visible_through: str | None = None,
    filterset_fields=(),
    ordering="id",
    ordering_fields=("id",),
    serializer_fields: dict | None = None,
):
    """A read-only endpoint for one configuration model, with an automatic serializer."""
    model = queryset.model
    serializer_fields = {**_inline_choice_fields(model, fields, exclude), **(serializer_fields or {})}
    meta = {"model": model, "fields": fields} if exclude is None else {"model": model, "exclude": exclude}
    if fields != "__all__" and exclude is None:
        meta["read_only_fields"] = fields
    serializer_class = type(
        f"{name}Serializer",
        (FieldsBuiltOnce, serializers.ModelSerializer),
        {
            **serializer_fields,
            "Meta": type("Meta", (), meta),
            "__module__": model.__module__,
            "__doc__": doc,
        },
    )
    return type(
        f"{name}ViewSet",
        (ConfigurationViewSet,),
        {
            "queryset": queryset,
            "serializer_class": serializer_class,
            "read_roles": read_roles,
            "owner_field": owner_field,
            "visible_through": visible_through,
            "filterset_class": _filterset_for(model, name, tuple(filterset_fields)),
            "ordering": ordering,
            "ordering_fields": tuple(ordering_fields),
            "__doc__": doc,
            "__module__": model.__module__,
        },
    )


def _inline_choice_fields(model, fields, exclude) -> dict:
    """Choice columns as read-only fields whose allowed values are described inline in the schema.

    Generated serializers would otherwise add one named enum component per field name, and
    names such as `kind` or `state` collide across the configuration models.
    """
    declared = {}
    for field in model._meta.concrete_fields:
        if not field.choices or (fields != "__all__" and field.name not in fields):
            continue
        if exclude and field.name in exclude:
            continue
        values = [value for value, _ in field.flatchoices]
        if field.blank and "" not in values:
            values.append("")
        # No `enum` keyword: the schema post-processing would turn it into a named component again.
        schema = {
            "type": "string" if isinstance(values[0], str) else "integer",
            "description": "One of: " + ", ".join(repr(value) for value in values) + ".",
        }
        if field.null:
            schema["nullable"] = True
        field_class = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
        declared[field.name] = field_class(choices=field.flatchoices, read_only=True, allow_null=field.null)
    return declared


def _filterset_for(model, name: str, names: tuple[str, ...]):
    """Exact-match filters on `names`; foreign keys take an id in the key range (a huge number is
    a field error, not an overflow in the database driver)."""
    import django_filters

    from itsm.core.filtersets import IdFilter

    declared, plain = {}, []
    for field_name in names:
        field = model._meta.get_field(field_name)
        if field.many_to_one or field.one_to_one:
            declared[field_name] = IdFilter(field_name=f"{field_name}_id")
        else:
            plain.append(field_name)
    meta = type("Meta", (), {"model": model, "fields": plain})
    return type(f"{name}FilterSet", (django_filters.FilterSet,), {**declared, "Meta": meta})
