"""Optimistic concurrency over HTTP.

Every record response carries an `ETag`: the record's `version` where the model has one (the
number the services compare under a row lock), otherwise a hash of its representation. A client
sends it back in `If-Match` on an update or a transition; a stale one is answered 412
`stale_version` with the current representation, so the client can merge and retry without a
second request. `If-None-Match` on a GET answers 304 when nothing changed.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import exceptions, status
from rest_framework.request import Request

from itsm.api.errors import BadQuery


class PreconditionFailed(exceptions.APIException):
    """The client's `If-Match` names a version that is no longer current."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"
    default_detail = "This record was changed by someone else. Reload it and apply your change again."

    def __init__(self, detail=None, *, current=None, etag: str | None = None):
        super().__init__(detail)
        self.current = current
        self.etag = etag


def etag_for(record) -> str:
    """The strong ETag of a record with a `version` column."""
    return f'"{record.version}"'


def etag_of_data(data) -> str:
    """The ETag of a representation: its `version` when it has one, else a hash of the JSON."""
    if isinstance(data, dict) and isinstance(data.get("version"), int):
        return f'"{data["version"]}"'
    encoded = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return '"h' + hashlib.sha256(encoded.encode()).hexdigest()[:32] + '"'


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def if_match(request: Request) -> list[str] | None:
    """The ETags in `If-Match` (None when absent or `*`)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    return _tags(header)


def none_match(request: Request, etag: str) -> bool:
    """True when `If-None-Match` names `etag` (or `*`): the client's copy is current."""
    header = request.headers.get("If-None-Match", "").strip()
    if not header:
        return False
    return header == "*" or etag in _tags(header)


def expected_version(request: Request) -> int | None:
    """The version the client last saw: the If-Match header, else a `version` field in the body."""
    tags = if_match(request)
    if tags:
        value = tags[0].strip('"')
        if value.startswith("h"):
            return None  # a representation hash: checked by the view before the service runs
        if not value.isdigit():
            raise BadQuery('If-Match must be the ETag you received, e.g. "3".')
        return int(value)
    body_version = request.data.get("version") if hasattr(request.data, "get") else None
    if body_version in (None, ""):
        return None
    try:
        return int(body_version)
    except (TypeError, ValueError):
        raise BadQuery("version must be a whole number.") from None
