"""Who may manage webhooks: admins every subscription, integrators (a permission) their own."""

from django.contrib.auth.models import AnonymousUser, User

from itsm.core import roles

PERMISSION = "notifications.manage_webhooks"


def may_manage_all(user: User | AnonymousUser) -> bool:
    return roles.has_role(user, roles.Role.ADMIN)


def may_manage_own(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(PERMISSION))


def may_use_webhooks(user: User | AnonymousUser) -> bool:
    """Whether the Webhooks page and API are open to the user at all."""
    return may_manage_all(user) or may_manage_own(user)
