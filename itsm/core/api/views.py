"""API views of the core: the unified task queue, teams, the user directory."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from itsm.api.viewsets import ReadOnlyVisibleViewSet, VisibleModelViewSet
from itsm.core import roles
from itsm.core.api.serializers import (
    AttachmentSerializer,
    DirectoryUserSerializer,
    TaskSerializer,
    TeamSerializer,
    TimelineEntrySerializer,
)
from itsm.core.filtersets import TaskFilterSet, TeamFilterSet, UserFilterSet
from itsm.core.models import Task, Team
from itsm.core.services.activity import add_attachment


class TaskViewSet(ReadOnlyVisibleViewSet):
    """Every workable record the caller may see, across kinds. Practices add their own endpoints."""

    queryset = Task.objects.with_list_relations()
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "updated_at", "priority", "number")
    #: Anyone who can see the task may attach to it; the service checks visibility.
    open_write_actions = ("attachments",)

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        task = self.get_object()
        entries = task.timeline.select_related("actor")
        if not roles.is_staff_member(request.user):
            entries = entries.filter(is_public=True)
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=AttachmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
        pagination_class=None,
    )
    def attachments(self, request, pk=None):
        task = self.get_object()
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError({"file": ["Attach a file in the 'file' field."]})
            is_public = request.data.get("is_public", "true").lower() != "false"
            attachment = add_attachment(task, upload, actor=request.user, is_public=is_public)
            return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        attachments = task.attachments.all()
        if not roles.is_staff_member(request.user):
            attachments = attachments.filter(is_public=True)
        return Response(AttachmentSerializer(attachments, many=True).data)


class TeamViewSet(VisibleModelViewSet):
    queryset = Team.objects.select_related("lead").prefetch_related("members")
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    ordering = "name"
    ordering_fields = ("name",)

    def get_queryset(self):
        return self.queryset.all() if self.request.user.is_authenticated else self.queryset.none()


class UserDirectoryViewSet(ReadOnlyVisibleViewSet):
    """Active people: name for everyone, contact details for staff."""

    queryset = (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("profile__organisation")
        .prefetch_related("teams")
    )
    serializer_class = DirectoryUserSerializer
    filterset_class = UserFilterSet
    ordering = "username"
    ordering_fields = ("username", "last_name")

    def get_queryset(self):
        return self.queryset.all() if self.request.user.is_authenticated else self.queryset.none()
