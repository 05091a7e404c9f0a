"""`/api/v1/improvements/`: the continual-improvement register.

Staff read and propose; `approve`, `start`, `realise`, `abandon` and `link` are POST actions
that call `improvements.services` (which decide who may do what and check the workflow).
`history` lists an initiative's timeline; `weekly-summary` reads or sets the caller's own
opt-in to the weekly dashboard summary e-mail.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from improvements import services
from improvements.api import serializers as s
from improvements.choices import Status
from improvements.models import Initiative, SummarySubscription
from itsm.api.concurrency import etag_for, expected_version
from itsm.api.viewsets import VisibleViewSetMixin
from itsm.core.filtersets import IdFilter
from itsm.core.roles import STAFF_ROLES

#: History entries an API answer carries, newest first.
HISTORY_ROWS = 200


class InitiativeFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    owner = IdFilter(field_name="owner_id")
    metric = django_filters.CharFilter()

    class Meta:
        model = Initiative
        fields = ["status", "owner", "metric"]


class InitiativeViewSet(
    VisibleViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Initiative.objects.select_related("owner").prefetch_related("links__task")
    serializer_class = s.InitiativeSerializer
    filterset_class = InitiativeFilterSet
    ordering = "-created_at"
    ordering_fields = ("created_at", "updated_at", "number")
    read_roles = STAFF_ROLES
    write_roles = STAFF_ROLES

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _respond(self, initiative: Initiative, code: int = status.HTTP_200_OK) -> Response:
        initiative = self.get_queryset().get(pk=initiative.pk)
        response = Response(s.InitiativeSerializer(initiative).data, status=code)
        response["ETag"] = etag_for(initiative)
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(request=s.InitiativeCreateSerializer, responses={201: s.InitiativeSerializer})
    def create(self, request):
        initiative = services.create_initiative(
            actor=request.user, **self._valid(s.InitiativeCreateSerializer)
        )
        return self._respond(initiative, status.HTTP_201_CREATED)

    @extend_schema(request=s.InitiativeUpdateSerializer, responses=s.InitiativeSerializer)
    def partial_update(self, request, pk=None):
        initiative = services.update_initiative(
            self.get_object(),
            actor=request.user,
            changes=self._valid(s.InitiativeUpdateSerializer),
            expected_version=expected_version(request),
        )
        return self._respond(initiative)

    def _move(self, name: str, serializer_class=s.MoveSerializer) -> Response:
        data = self._valid(serializer_class)
        initiative = services.move_initiative(
            self.get_object(),
            name,
            actor=self.request.user,
            expected_version=expected_version(self.request),
            **data,
        )
        return self._respond(initiative)

    @extend_schema(request=s.MoveSerializer, responses=s.InitiativeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move("approve")

    @extend_schema(request=s.MoveSerializer, responses=s.InitiativeSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._move("start")

    @extend_schema(request=s.RealiseSerializer, responses=s.InitiativeSerializer)
    @action(detail=True, methods=["post"])
    def realise(self, request, pk=None):
        return self._move("realise", s.RealiseSerializer)

    @extend_schema(request=s.AbandonSerializer, responses=s.InitiativeSerializer)
    @action(detail=True, methods=["post"])
    def abandon(self, request, pk=None):
        return self._move("abandon", s.AbandonSerializer)

    @extend_schema(request=s.InitiativeLinkCreateSerializer, responses={201: s.InitiativeSerializer})
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        initiative = self.get_object()
        services.link_record(
            initiative, actor=request.user, number=self._valid(s.InitiativeLinkCreateSerializer)["number"]
        )
        return self._respond(initiative, status.HTTP_201_CREATED)

    @extend_schema(responses=s.InitiativeEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The initiative's history, newest first, at most HISTORY_ROWS entries."""
        events = self.get_object().events.select_related("actor").order_by("-created_at", "-id")
        return Response(s.InitiativeEventSerializer(events[:HISTORY_ROWS], many=True).data)

    @extend_schema(
        methods=["GET"],
        responses=s.SummarySubscriptionSerializer,
        operation_id="improvements_weekly_summary_read",
    )
    @extend_schema(
        methods=["POST"],
        request=s.SummarySubscriptionSerializer,
        responses=s.SummarySubscriptionSerializer,
        operation_id="improvements_weekly_summary_set",
    )
    @action(detail=False, methods=["get", "post"], url_path="weekly-summary")
    def weekly_summary(self, request):
        """The caller's own opt-in to the weekly summary e-mail (managers and administrators receive it)."""
        if request.method == "POST":
            wanted = self._valid(s.SummarySubscriptionSerializer)["subscribed"]
            services.set_summary_subscription(request.user, actor=request.user, subscribed=wanted)
        subscribed = SummarySubscription.objects.filter(user=request.user).exists()
        return Response(s.SummarySubscriptionSerializer({"subscribed": subscribed}).data)
