"""Role-based permissions for API views; what a user may *see* is `visible_to`'s job."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from itsm.core import roles


class RolePermission(BasePermission):
    """Reads need one of `view.read_roles` (None: any signed-in user); writes one of
    `view.write_roles`, except the actions in `view.open_write_actions`, which need what
    reads need and leave the finer check to the service they call."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS or view.action in getattr(view, "open_write_actions", ()):
            needed = getattr(view, "read_roles", None)
        else:
            needed = getattr(view, "write_roles", frozenset({roles.Role.ADMIN}))
        return needed is None or roles.has_role(user, *needed)
