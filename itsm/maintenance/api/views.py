"""Maintenance and blackout windows, read-only over the API (managed in the admin)."""

from itsm.api.viewsets import configuration_viewset
from itsm.maintenance.models import MaintenanceWindow

MaintenanceWindowViewSet = configuration_viewset(
    MaintenanceWindow.objects.prefetch_related("services", "configuration_items"),
    name="MaintenanceWindow",
    doc="Maintenance windows and change blackouts (recurrence, scope), for staff.",
    filterset_fields=("kind", "is_active"),
    ordering="name",
    ordering_fields=("name", "id", "updated_at"),
)
