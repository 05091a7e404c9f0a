"""Base viewsets: every API list and record starts from the model's `visible_to(user)`."""

from django.http import Http404
from rest_framework import mixins, viewsets

from itsm.api.permissions import RolePermission
from itsm.core.filtersets import MAX_ID


class VisibleViewSetMixin:
    """Declare `queryset` (with select_related/prefetch for the serializer), `ordering`,
    `filterset_class`, and the roles; the mixin narrows to what the user may see."""

    permission_classes = [RolePermission]
    lookup_value_regex = r"[0-9]+"
    read_roles = None
    ordering = "-id"
    ordering_fields: tuple[str, ...] = ()

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_object(self):
        # Ids beyond the 64-bit key range cannot exist (and overflow some database drivers).
        if int(self.kwargs[self.lookup_url_kwarg or self.lookup_field]) > MAX_ID:
            raise Http404
        return super().get_object()


class ReadOnlyVisibleViewSet(VisibleViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only."""


class VisibleModelViewSet(
    VisibleViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create, read and update; deletion is left to the admin (records are referenced)."""
