"""Who may see which catalog entries: decided once, here, for the portal, the API and search."""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

from catalog.choices import Audience
from itsm.approvals.models import subjects_approved_by
from itsm.core import roles
from itsm.core.querysets import TaskQuerySet, requested_by_or_watched


class CategoryQuerySet(models.QuerySet):
    def active(self) -> "CategoryQuerySet":
        return self.filter(is_active=True)

    def visible_to(self, user: User | AnonymousUser) -> "CategoryQuerySet":
        """Active categories for anyone signed in (what they hold is filtered per item)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.active()


class CatalogItemQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "CatalogItemQuerySet":
        """Items the user may see and order: active ones for everyone, for one of their roles
        (Django groups) or for one of their teams. Administrators also see retired items and
        every audience, so they can check what they configure."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if roles.has_role(user, roles.Role.ADMIN):
            return self
        by_role = self.model.roles.through.objects.filter(group__user=user).values("catalogitem_id")
        by_team = self.model.teams.through.objects.filter(team__members=user).values("catalogitem_id")
        return self.filter(is_active=True).filter(
            Q(audience=Audience.EVERYONE)
            | Q(audience=Audience.ROLES, pk__in=by_role)
            | Q(audience=Audience.TEAMS, pk__in=by_team)
        )

    def orderable_by(self, user: User) -> "CatalogItemQuerySet":
        """What `user` may order now (administrators may look at retired items, not order them)."""
        return self.visible_to(user).filter(is_active=True)


def _signed_in(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active


class RequestItemQuerySet(TaskQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "RequestItemQuerySet":
        """The platform's rule, plus the items `user` is or was asked to approve: an approver who
        is neither the requester nor staff must be able to read what they decide on."""
        if not _signed_in(user):
            return self.none()
        if roles.is_staff_member(user):
            return self
        return self.filter(requested_by_or_watched(user) | subjects_approved_by(user))

    def participated_by(self, user: User | AnonymousUser) -> "RequestItemQuerySet":
        """Items `user` may act on as requester, watcher or agent (approvers only read)."""
        return super().visible_to(user)


class RequestQuerySet(TaskQuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "RequestQuerySet":
        """The platform's rule, plus requests holding an item `user` is or was asked to approve
        (read-only for them: replies and cancellation check `participated_by`)."""
        if not _signed_in(user):
            return self.none()
        if roles.is_staff_member(user):
            return self
        from catalog.models import RequestItem

        approving = RequestItem.objects.filter(parent_request_id=OuterRef("pk")).filter(
            subjects_approved_by(user)
        )
        return self.filter(requested_by_or_watched(user) | Q(Exists(approving)))

    def participated_by(self, user: User | AnonymousUser) -> "RequestQuerySet":
        """Requests `user` may act on as requester, watcher or agent (approvers only read)."""
        return super().visible_to(user)
