"""SLA events (warnings, breaches, pauses), read-only: the engine writes them."""

from itsm.api.viewsets import configuration_viewset
from itsm.sla.models import SLAEvent

SLAEventViewSet = configuration_viewset(
    SLAEvent.objects.all(),
    name="SLAEventRecord",
    doc="What happened to the SLA clocks of the records you may see (`?clock=`).",
    read_roles=None,
    visible_through="clock",
    filterset_fields=("clock", "kind"),
    ordering="-id",
    ordering_fields=("id", "at"),
)
