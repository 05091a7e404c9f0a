"""One JSON error format for the whole API.

{"error": {"status": 400, "code": "invalid", "message": "...", "fields": {"name": ["..."]}}}
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from itsm.core.exceptions import DomainError, StaleVersion


class BadQuery(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_query"
    default_detail = "The query string is not valid."


def exception_handler(exc, context):
    """Map domain, Django and DRF errors onto the one format."""
    if isinstance(exc, StaleVersion) or getattr(exc, "default_code", None) == "stale_version":
        return _stale(exc, context)
    if isinstance(exc, DomainError):
        return _response(exc.http_status, exc.code, exc.message)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "error": {
                "status": response.status_code,
                "code": "invalid",
                "message": "Some fields are not valid.",
                "fields": _flatten(fields),
            }
        }
        return response
    code = getattr(exc, "default_code", "error")
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    if isinstance(codes, str):
        code = codes
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = {"error": {"status": response.status_code, "code": code, "message": str(detail)}}
    return response


def _stale(exc, context) -> Response:
    """412 `stale_version` with the record as it is now, so the client can merge and retry."""
    message = exc.message if isinstance(exc, DomainError) else str(exc.detail)
    current = getattr(exc, "current", None)
    view = context.get("view")
    if current is None and hasattr(view, "current_representation"):
        current = view.current_representation()
    body = {"status": 412, "code": "stale_version", "message": message, "current": current}
    response = Response({"error": body}, status=412)
    if current is not None:
        from itsm.api.concurrency import etag_of_data

        response["ETag"] = etag_of_data(current)
    return response


def _response(http_status: int, code: str, message: str) -> Response:
    return Response({"error": {"status": http_status, "code": code, "message": message}}, status=http_status)


def _django_errors(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {field: [m for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": exc.messages}


def _flatten(detail) -> dict:
    """Field errors as {field: [message, ...]}, nested fields joined with dots."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        else:
            flat.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return flat
