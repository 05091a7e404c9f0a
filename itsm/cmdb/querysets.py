"""Business filters for the CMDB. Impact analysis lives in `itsm.cmdb.impact`."""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from itsm.core import roles


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "ServiceQuerySet":
        """Every signed-in user sees the service list (the portal shows service status)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class ConfigurationItemQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "ConfigurationItemQuerySet":
        """Configuration items are for staff; end users never browse infrastructure."""
        if roles.is_staff_member(user):
            return self
        return self.none()


class CIRelationshipQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "CIRelationshipQuerySet":
        """Relationships are between CIs, so they are for staff, like the CIs."""
        if roles.is_staff_member(user):
            return self
        return self.none()
