"""`/api/v1/catalog/...`, `/api/v1/requests/`, `/api/v1/request-items/`, `/api/v1/fulfilment-tasks/`.

Every write goes through `catalog.services`, which check roles, workflow and versions; the
submission is validated by `catalog.forms_engine`, the module the portal form uses too.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import services
from catalog.api import serializers as s
from catalog.choices import VariableType
from catalog.filtersets import FulfilmentTaskFilterSet, RequestFilterSet, RequestItemFilterSet
from catalog.models import CatalogItem, Category, FulfilmentTask, Request, RequestItem
from itsm.api.concurrency import etag_for, expected_version
from itsm.api.viewsets import ReadOnlyVisibleViewSet, VisibleViewSetMixin
from itsm.core.api.serializers import TimelineEntrySerializer
from itsm.core.models import Team


class CategoryViewSet(ReadOnlyVisibleViewSet):
    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer
    ordering = "order"


class CatalogItemViewSet(ReadOnlyVisibleViewSet):
    """Items the caller may order; the detail carries the form schema as JSON."""

    queryset = CatalogItem.objects.select_related("current_version")
    serializer_class = s.CatalogItemSerializer
    ordering = "name"

    def get_serializer_class(self):
        return s.CatalogItemDetailSerializer if self.action == "retrieve" else s.CatalogItemSerializer


class _Records(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "updated_at", "priority", "number")
    write_roles = None  # any signed-in user; the services decide what each may do

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, record, code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.get_serializer_class()(record).data, status=code)
        response["ETag"] = etag_for(record)
        return response


class RequestViewSet(_Records):
    queryset = Request.objects.select_related("requester", "assignee", "opened_by").prefetch_related(
        Prefetch(
            "items", queryset=RequestItem.objects.select_related("item_version", "requester", "assignee")
        )
    )
    serializer_class = s.RequestSerializer
    filterset_class = RequestFilterSet

    @extend_schema(
        request={"application/json": s.SubmitSerializer, "multipart/form-data": s.SubmitWithFilesSerializer},
        responses={201: s.RequestSerializer},
    )
    def create(self, request):
        """Submit a cart: field errors come back keyed `items.<n>.values.<variable>`.

        JSON, or — to send attachment variables — multipart/form-data with the same JSON
        document in the `data` part and each file in a part named `items.<n>.<variable>`."""
        body, files = self._submission()
        serializer = s.SubmitSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines = self._lines(data["items"], files)
        requested_for = self._person(data.get("requested_for"))
        placed = services.submit_request(
            actor=request.user, lines=lines, requested_for=requested_for, notes=data["notes"]
        )
        return self._respond(self.get_queryset().get(pk=placed.pk), status.HTTP_201_CREATED)

    def _submission(self) -> tuple[object, dict]:
        """The order document and its files (none unless the body is multipart)."""
        if not self.request.content_type.startswith("multipart/form-data"):
            return self.request.data, {}
        try:
            body = json.loads(self.request.data.get("data") or "")
        except ValueError as error:
            raise ValidationError(
                {"data": "Send the order as a JSON document in the multipart field “data”."}
            ) from error
        return body, self.request.FILES

    def _lines(self, raw: list[dict], files) -> list[services.OrderLine]:
        items = CatalogItem.objects.orderable_by(self.request.user).select_related("current_version")
        found = items.in_bulk([line["item"] for line in raw])
        missing = {
            f"items.{i}.item": "This item does not exist or cannot be ordered."
            for i, line in enumerate(raw)
            if line["item"] not in found
        }
        if missing:
            raise ValidationError(missing)
        lines = [
            services.OrderLine(found[line["item"]], line["values"], line["quantity"], orderable=True)
            for line in raw
        ]
        _attach_files(lines, files)
        return lines

    def _person(self, pk: int | None):
        if pk is None:
            return None
        person = get_user_model().objects.filter(pk=pk, is_active=True).first()
        if person is None:
            raise ValidationError({"requested_for": "There is no active person with this id."})
        return person

    @extend_schema(request=s.CatalogNoteSerializer, responses=s.RequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = self._valid(s.CatalogNoteSerializer)["note"]
        record = services.cancel_request(
            self.get_object(), actor=request.user, reason=reason, expected_version=expected_version(request)
        )
        return self._respond(self.get_queryset().get(pk=record.pk))

    @extend_schema(request=s.RequestReplySerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        data = self._valid(s.RequestReplySerializer)
        entry = services.add_request_reply(self.get_object(), actor=request.user, **data)
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


def _attach_files(lines: list[services.OrderLine], files) -> None:
    """Give each line the files named `items.<n>.<variable>` for its attachment variables;
    a part that names no attachment variable of the order is a field error, not ignored."""
    errors = {}
    for key in files:
        index, _, name = key.removeprefix("items.").partition(".")
        line = lines[int(index)] if index.isdigit() and int(index) < len(lines) else None
        version = line.item.current_version if line is not None else None
        names = (
            {v["name"] for v in version.variables if v["type"] == VariableType.ATTACHMENT} if version else ()
        )
        if not key.startswith("items.") or name not in names:
            errors[key] = "Not a file variable of this order (name file parts items.<n>.<variable>)."
            continue
        line.files = {**line.files, name: files[key]}
    if errors:
        raise ValidationError(errors)


def _file_variables(line: services.OrderLine | None) -> set[str]:
    version = line.item.current_version if line is not None else None
    if version is None:
        return set()
    return {v["name"] for v in version.variables if v["type"] == VariableType.ATTACHMENT}


class RequestItemViewSet(_Records):
    queryset = RequestItem.objects.select_related("requester", "assignee", "item_version")
    serializer_class = s.RequestItemSerializer
    filterset_class = RequestItemFilterSet


class FulfilmentTaskViewSet(_Records):
    """Fulfilment work: start, hold, complete, skip, assign (agents; the services check)."""

    queryset = FulfilmentTask.objects.select_related("requester", "assignee")
    serializer_class = s.FulfilmentTaskSerializer
    filterset_class = FulfilmentTaskFilterSet

    @extend_schema(request=None, responses=s.FulfilmentTaskSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move(services.start_task)

    @extend_schema(request=s.CatalogNoteSerializer, responses=s.FulfilmentTaskSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._move(services.hold_task, reason=self._valid(s.CatalogNoteSerializer)["note"])

    @extend_schema(request=s.CatalogNoteSerializer, responses=s.FulfilmentTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._move(services.complete_task, notes=self._valid(s.CatalogNoteSerializer)["note"])

    @extend_schema(request=s.CatalogNoteSerializer, responses=s.FulfilmentTaskSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        return self._move(services.skip_task, reason=self._valid(s.CatalogNoteSerializer)["note"])

    @extend_schema(request=s.FulfilmentAssignSerializer, responses=s.FulfilmentTaskSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self._valid(s.FulfilmentAssignSerializer)
        group = (
            Team.objects.filter(pk=data["assignment_group"]).first() if data.get("assignment_group") else None
        )
        if data.get("assignment_group") and group is None:
            raise ValidationError({"assignment_group": "There is no such team."})
        assignee = (
            get_user_model().objects.filter(pk=data["assignee"]).first() if data.get("assignee") else None
        )
        if data.get("assignee") and assignee is None:
            raise ValidationError({"assignee": "There is no such person."})
        return self._move(services.assign_task, group=group, assignee=assignee)

    def _move(self, service, **kwargs) -> Response:
        task = service(
            self.get_object(),
            actor=self.request.user,
            expected_version=expected_version(self.request),
            **kwargs,
        )
        task.refresh_from_db()
        return self._respond(task)
