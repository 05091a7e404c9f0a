"""Navigation for the base layout, chosen by role."""

from django.conf import settings
from django.http import HttpRequest

from itsm.core import roles


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.SITE_NAME, "nav": {}}
    user_roles = roles.roles_of(user)
    return {
        "site_name": settings.SITE_NAME,
        "nav": {
            "workspace": bool(user_roles & roles.STAFF_ROLES),
            "portal": True,
            "dashboards": bool(user_roles & roles.OVERSIGHT_ROLES),
            "cmdb": bool(user_roles & roles.STAFF_ROLES),
            "admin": user.is_staff,
            "api_docs": True,
        },
        "user_roles": sorted(roles.Role(r).label for r in user_roles),
    }
