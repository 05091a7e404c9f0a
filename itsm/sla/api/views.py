"""API views of the SLA app: calendars and definitions (admins write, staff read), clocks (read-only)."""

from django.db.models import ProtectedError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.api.viewsets import ReadOnlyVisibleViewSet, VisibleModelViewSet
from itsm.core import roles
from itsm.sla.api.serializers import (
    CalendarSerializer,
    ImportHolidaysResultSerializer,
    ImportHolidaysSerializer,
    SLAClockSerializer,
    SLADefinitionSerializer,
)
from itsm.sla.exceptions import InUse
from itsm.sla.filtersets import CalendarFilterSet, SLAClockFilterSet, SLADefinitionFilterSet
from itsm.sla.models import Calendar, SLAClock, SLADefinition
from itsm.sla.services import import_public_holidays


class _ConfigViewSet(mixins.DestroyModelMixin, VisibleModelViewSet):
    """Staff read SLA configuration; admins create, change and delete it."""

    read_roles = roles.STAFF_ROLES
    write_roles = frozenset({roles.Role.ADMIN})
    in_use_message = ""

    def perform_destroy(self, instance) -> None:
        try:
            instance.delete()
        except ProtectedError:
            raise InUse(self.in_use_message) from None


class CalendarViewSet(_ConfigViewSet):
    queryset = Calendar.objects.with_rules()
    serializer_class = CalendarSerializer
    filterset_class = CalendarFilterSet
    ordering = "name"
    ordering_fields = ("name",)
    in_use_message = "SLA definitions use this calendar: move them to another calendar first."

    @extend_schema(request=ImportHolidaysSerializer, responses=ImportHolidaysResultSerializer)
    @action(detail=True, methods=["post"], url_path="import-holidays", filterset_class=None)
    def import_holidays(self, request, pk=None):
        """Add a country's public holidays (from the `holidays` package) for the given years."""
        calendar = self.get_object()
        params = ImportHolidaysSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        added = import_public_holidays(calendar, **params.validated_data)
        return Response(ImportHolidaysResultSerializer({"added": added}).data)


class SLADefinitionViewSet(_ConfigViewSet):
    queryset = SLADefinition.objects.select_related("calendar").prefetch_related("escalation_steps")
    serializer_class = SLADefinitionSerializer
    filterset_class = SLADefinitionFilterSet
    ordering = "name"
    ordering_fields = ("name", "precedence")
    in_use_message = "Clocks were measured against this definition: deactivate it instead of deleting it."


class SLAClockViewSet(ReadOnlyVisibleViewSet):
    """A task's clocks: `?task=<id>`. Anyone who can see the task sees its clocks."""

    queryset = SLAClock.objects.select_related("definition__calendar").prefetch_related("events")
    serializer_class = SLAClockSerializer
    filterset_class = SLAClockFilterSet
    ordering = "id"
    ordering_fields = ("started_at",)
