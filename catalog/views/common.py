"""Helpers shared by the catalog pages."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from catalog.models import CatalogItem, FulfilmentTask, Request
from itsm.core.filtersets import MAX_ID


def visible_item(request: HttpRequest, slug: str) -> CatalogItem:
    queryset = CatalogItem.objects.visible_to(request.user).select_related(
        "category", "current_version", "service"
    )
    return get_object_or_404(queryset, slug=slug)


def visible_request(request: HttpRequest, pk: int) -> Request:
    if pk > MAX_ID:
        raise Http404
    queryset = Request.objects.visible_to(request.user).select_related("requester", "opened_by")
    return get_object_or_404(queryset, pk=pk)


def visible_task(request: HttpRequest, pk: int) -> FulfilmentTask:
    if pk > MAX_ID:
        raise Http404
    queryset = FulfilmentTask.objects.visible_to(request.user).select_related(
        "assignment_group",
        "assignee",
        "requester",
        "request_item__parent_request",
        "request_item__item_version",
    )
    return get_object_or_404(queryset, pk=pk)


def field_errors(error: ValidationError, prefix: str = "") -> dict[str, str]:
    """A service's ValidationError as {field: message}, with `prefix` (e.g. "items.0.values.") removed."""
    if not hasattr(error, "error_dict"):
        return {"form": " ".join(error.messages)}
    found = {}
    for name, messages in error.message_dict.items():
        for strip in (f"{prefix}values.", prefix):
            if name.startswith(strip):
                name = name[len(strip) :]
                break
        found[name] = messages[0]
    return found


def person_named(username: str) -> User | None:
    from django.contrib.auth import get_user_model

    username = (username or "").strip()[:150]
    if not username:
        return None
    return get_user_model().objects.filter(username=username, is_active=True).first()
