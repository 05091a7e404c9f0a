"""Roles are Django groups (created by a data migration); this module is how code asks about them."""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    AGENT = "agent", "Agent"
    MANAGER = "manager", "Manager"
    CHANGE_MANAGER = "change_manager", "Change manager"
    KNOWLEDGE_MANAGER = "knowledge_manager", "Knowledge manager"
    ADMIN = "admin", "Administrator"


#: Roles that work records in the agent workspace.
STAFF_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.CHANGE_MANAGER, Role.KNOWLEDGE_MANAGER, Role.ADMIN})
#: Roles that may see every record and every dashboard.
OVERSIGHT_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_itsm_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(name for name in names if name in Role.values)
        user._itsm_roles = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_member(user: User | AnonymousUser) -> bool:
    """True for anyone who works records (agents and above)."""
    return bool(roles_of(user) & STAFF_ROLES)


def sees_everything(user: User | AnonymousUser) -> bool:
    return bool(roles_of(user) & OVERSIGHT_ROLES)


def landing_surface(user: User | AnonymousUser) -> str:
    """Which of the three surfaces a user starts on: 'dashboards', 'workspace' or 'portal'."""
    roles = roles_of(user)
    if Role.MANAGER in roles:
        return "dashboards"
    if roles & STAFF_ROLES:
        return "workspace"
    return "portal"
