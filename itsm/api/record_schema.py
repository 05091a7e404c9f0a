"""The OpenAPI description of what every record endpoint shares (kept apart from `schema.py`,
which the app loads at start-up, because importing AutoSchema there would import DRF's views
before its settings can be read)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter


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
