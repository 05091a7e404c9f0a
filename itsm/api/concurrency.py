"""Optimistic concurrency over HTTP: ETag carries the record's version, If-Match sends it back."""

from rest_framework.request import Request

from itsm.api.errors import BadQuery


def etag_for(record) -> str:
    return f'"{record.version}"'


def expected_version(request: Request) -> int | None:
    """The version the client last saw: the If-Match header, else a `version` field in the body."""
    header = request.headers.get("If-Match", "").strip()
    if header and header != "*":
        value = header.removeprefix("W/").strip('"')
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
