"""The OpenAPI description of what every record endpoint shares (kept apart from `schema.py`,
which the app loads at start-up, because importing AutoSchema there would import DRF's views
before its settings can be read)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class RecordAutoSchema(AutoSchema):
    """Documents the parameters every list and record GET accepts: `fields`, `expand`, and the
    `If-None-Match` / `If-Match` preconditions."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        action = getattr(self.view, "action", None)
        method = self.method.upper()
        if method == "GET" and action in ("list", "retrieve"):
            try:
                expandable = sorted(self.view.expansions())
            except Exception:
                expandable = []
            parameters += [
                OpenApiParameter(
                    "fields",
                    str,
                    description=(
                        "Comma-separated fields to return (e.g. `id,number,assignee.username`; a dotted "
                        "name selects inside an expanded object). Unknown names: 400 listing the valid ones."
                    ),
                ),
                OpenApiParameter(
                    "expand",
                    str,
                    description="Comma-separated related objects to inline instead of their id"
                    + (f": {', '.join(expandable)}." if expandable else " (none on this endpoint)."),
                ),
            ]
        orderings = tuple(getattr(self.view, "ordering_fields", ()) or ())
        if method == "GET" and action == "list" and orderings:
            parameters.append(
                OpenApiParameter(
                    "ordering",
                    str,
                    enum=[value for name in orderings for value in (name, f"-{name}")],
                    description="Sort by one field (`-` for descending); ties are broken by id.",
                )
            )
        if method == "GET" and action != "list":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag you hold: 304 Not Modified when the record is unchanged.",
                )
            )
        if method in ("PUT", "PATCH", "POST", "DELETE") and "{" in self.path:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="The ETag you last saw: 412 `stale_version` (with the current record) if "
                    "someone changed it since.",
                )
            )
        return parameters

    def _map_basic_serializer(self, serializer, direction):
        """Fields a serializer leaves out for some callers (`STAFF_ONLY`) are not required."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(serializer, "STAFF_ONLY", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """Read-only fields keep what their column allows: DRF drops `allow_blank` and
        `allow_null` from read-only fields, so a blank or null value would break the schema."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            # A wall-clock time such as "09:00:00": JSON Schema's `time` format demands an offset.
            del schema["format"]
            schema["pattern"] = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"
        if not field.read_only:
            return schema
        model_field = _model_field_of(field)
        if model_field is not None and model_field.null and "$ref" not in schema and "allOf" not in schema:
            schema["nullable"] = True
        if isinstance(field, serializers.ChoiceField) and "enum" in schema and model_field is not None:
            if model_field.blank and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
            if model_field.null and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        return schema


def _model_field_of(field):
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except Exception:
        return None
