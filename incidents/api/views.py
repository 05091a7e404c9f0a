"""`/api/v1/incidents/`: list, create, read, edit fields; transitions as POST actions."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from incidents import services
from incidents.api import serializers as s
from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident
from itsm.api.concurrency import etag_for, expected_version
from itsm.api.viewsets import VisibleViewSetMixin
from itsm.core import roles
from itsm.core.api.serializers import TimelineEntrySerializer
from itsm.core.exceptions import PermissionDenied
from itsm.core.filtersets import MAX_ID
from itsm.core.models import Task, TaskLink
from itsm.core.services import activity


class IncidentViewSet(
    VisibleViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Every write goes through `incidents.services`, which check roles, workflow and versions."""

    queryset = Incident.objects.select_related("requester", "assignee")
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilterSet
    ordering = "-opened_at"
    ordering_fields = ("opened_at", "updated_at", "priority", "number")
    write_roles = None  # any signed-in user; the services decide what each may do

    def retrieve(self, request, *args, **kwargs):
        incident = self.get_object()
        return self._respond(incident)

    @extend_schema(request=s.IncidentCreateSerializer, responses={201: s.IncidentSerializer})
    def create(self, request):
        data = self._valid(s.IncidentCreateSerializer)
        incident = services.create_incident(actor=request.user, **data)
        return self._respond(incident, status.HTTP_201_CREATED)

    @extend_schema(request=s.IncidentUpdateSerializer, responses=s.IncidentSerializer)
    def partial_update(self, request, pk=None):
        incident = self.get_object()
        changes = self._valid(s.IncidentUpdateSerializer)
        incident = services.update_incident(
            incident, actor=request.user, changes=changes, expected_version=expected_version(request)
        )
        return self._respond(incident)

    @extend_schema(request=s.AssignSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self._valid(s.AssignSerializer)
        return self._call(
            services.assign_incident, group=data.get("assignment_group"), assignee=data.get("assignee")
        )

    @extend_schema(request=None, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._call(services.start_incident)

    @extend_schema(request=s.HoldSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._call(services.hold_incident, reason=self._valid(s.HoldSerializer)["reason"])

    @extend_schema(request=s.ResolveSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = self._valid(s.ResolveSerializer)
        return self._call(
            services.resolve_incident, resolution_code=data["resolution_code"], notes=data["notes"]
        )

    @extend_schema(request=None, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._call(services.close_incident)

    @extend_schema(request=s.ReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._call(services.reopen_incident, reason=self._valid(s.ReasonSerializer)["reason"])

    @extend_schema(request=s.ReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._call(services.cancel_incident, reason=self._valid(s.ReasonSerializer)["reason"])

    @extend_schema(request=s.ReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="propose-major")
    def propose_major(self, request, pk=None):
        return self._call(services.propose_major, reason=self._valid(s.ReasonSerializer)["reason"])

    @extend_schema(request=s.MajorDecisionSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="decide-major")
    def decide_major(self, request, pk=None):
        data = self._valid(s.MajorDecisionSerializer)
        return self._call(services.decide_major, accept=data["accept"], note=data["note"])

    @extend_schema(request=s.ReplySerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        data = self._valid(s.ReplySerializer)
        entry = services.add_reply(
            self.get_object(), actor=request.user, body=data["body"], public=data["public"]
        )
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RatingSerializer, responses={201: OpenApiResponse(description="Rating recorded")}
    )
    @action(detail=True, methods=["post"])
    def rating(self, request, pk=None):
        data = self._valid(s.RatingSerializer)
        rating = services.rate_resolution(self.get_object(), actor=request.user, **data)
        return Response({"score": rating.score, "comment": rating.comment}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ParentSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def parent(self, request, pk=None):
        """Set or (with null) clear the parent incident; a child follows its parent's resolution."""
        self._staff_object()  # before validating, so an id says nothing to requesters
        return self._call(services.set_parent, parent=self._valid(s.ParentSerializer)["parent"])

    @extend_schema(
        methods=["GET"], request=None, responses=s.LinkSerializer(many=True), summary="Links of the incident"
    )
    @extend_schema(methods=["POST"], request=s.LinkCreateSerializer, responses={201: s.LinkSerializer})
    @action(detail=True, methods=["get", "post"])
    def links(self, request, pk=None):
        """Links to and from the incident (agents only); POST links it to another record."""
        incident = self._staff_object()
        if request.method == "GET":
            rows = self._links_of(incident).order_by("created_at", "pk")
            return Response(s.LinkSerializer(rows, many=True, context={"incident": incident}).data)
        data = self._valid(s.LinkCreateSerializer)
        number = data["target"].strip().upper()
        target = Task.objects.visible_to(request.user).filter(number=number).first()
        if target is None:
            raise ValidationError({"target": f"There is no record {number} that you can see."})
        link = activity.link_tasks(incident, target, data["kind"], actor=request.user)
        payload = s.LinkSerializer(link, context={"incident": incident}).data
        return Response(payload, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Link removed")})
    @action(detail=True, methods=["delete"], url_path=r"links/(?P<link_pk>[0-9]+)")
    def unlink(self, request, pk=None, link_pk=None):
        """Remove one link to or from the incident (agents only); both timelines note it."""
        incident = self._staff_object()
        if not 0 < int(link_pk) <= MAX_ID:
            raise NotFound()  # in the one error format, like every other 404
        link = get_object_or_404(self._links_of(incident), pk=int(link_pk))
        services.unlink_record(incident, link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _staff_object(self) -> Incident:
        incident = self.get_object()
        if not roles.is_staff_member(self.request.user):
            raise PermissionDenied("Only agents can see and change an incident's links and parent.")
        return incident

    @staticmethod
    def _links_of(incident: Incident):
        rows = TaskLink.objects.filter(Q(source=incident.pk) | Q(target=incident.pk))
        return rows.select_related("source", "target")

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _call(self, service, **kwargs) -> Response:
        incident = service(
            self.get_object(),
            actor=self.request.user,
            expected_version=expected_version(self.request),
            **kwargs,
        )
        return self._respond(incident)

    def _respond(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        response = Response(s.IncidentSerializer(incident).data, status=code)
        response["ETag"] = etag_for(incident)
        return response
