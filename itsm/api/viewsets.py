"""Base viewsets: every API list and record starts from the model's `visible_to(user)`."""

from rest_framework import mixins, viewsets

from itsm.api.permissions import RolePermission


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
