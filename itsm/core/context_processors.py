"""Navigation for the base layout, chosen by role.

Showing a link is a convenience, not a permission: every view checks access itself.
"""

from django.conf import settings
from django.http import HttpRequest

from itsm.core import roles

#: URL namespaces and the surface their pages belong to (a page may still name its own).
_SURFACE_OF_NAMESPACE = {
    "core": "workspace",
    "portal": "portal",
    "dashboards": "dashboards",
    "cmdb": "cmdb",
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    context = {"site_name": settings.SITE_NAME, "nav": {}, "current_surface": _surface(request)}
    if user is None or not user.is_authenticated:
        return context
    user_roles = roles.roles_of(user)
    context["nav"] = {
        "workspace": bool(user_roles & roles.STAFF_ROLES),
        "portal": True,
        "dashboards": bool(user_roles & roles.OVERSIGHT_ROLES),
        "cmdb": bool(user_roles & roles.STAFF_ROLES),
        "admin": user.is_staff,
        "system": roles.Role.ADMIN in user_roles,
        "api_docs": True,
    }
    context["user_roles"] = sorted(roles.Role(r).label for r in user_roles)
    return context


def _surface(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return _SURFACE_OF_NAMESPACE.get(match.namespaces[0] if match.namespaces else "", "")
