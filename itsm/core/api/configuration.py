"""Core configuration and personal settings, read-only over the API."""

from itsm.api.viewsets import configuration_viewset
from itsm.core.models import Organisation, SavedView

OrganisationViewSet = configuration_viewset(
    Organisation.objects.all(),
    name="Organisation",
    doc="Customer organisations and departments (`parent`), for staff.",
    filterset_fields=("kind", "parent"),
    ordering="name",
    ordering_fields=("name", "id"),
)
SavedViewViewSet = configuration_viewset(
    SavedView.objects.all(),
    name="SavedView",
    doc="Your saved list views (a list page and its filters); each person sees only their own.",
    read_roles=None,
    owner_field="owner",
    ordering="name",
    ordering_fields=("name", "id", "created_at"),
)
