"""Who may read which article: decided here once, used by pages, portal, API and search."""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

from itsm.core import roles
from itsm.core.roles import Role
from knowledge.choices import ArticleState, Audience

#: Roles that see every article in every state, whatever its audience.
CURATOR_ROLES = (Role.KNOWLEDGE_MANAGER, Role.MANAGER, Role.ADMIN)


def is_curator(user: User | AnonymousUser) -> bool:
    return roles.has_role(user, *CURATOR_ROLES)


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "ArticleQuerySet":
        """Articles `user` may read.

        Knowledge managers, managers and admins: all. Agents: every article written for
        everyone or for agents, team articles of their teams, and anything they own — drafts
        included, so colleagues can work on them. Requesters: published articles for everyone,
        nothing else (agent-only and team articles never reach them, in any state).
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if is_curator(user):
            return self
        if not roles.is_staff_member(user):
            return self.filter(state=ArticleState.PUBLISHED, audience=Audience.EVERYONE)
        through = self.model.teams.through
        member = through.objects.filter(article_id=OuterRef("pk"), team__members=user)
        return self.filter(
            Q(audience__in=[Audience.EVERYONE, Audience.AGENTS]) | Q(owner=user) | Exists(member)
        )

    def published(self) -> "ArticleQuerySet":
        return self.filter(state=ArticleState.PUBLISHED)


class BaseQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "BaseQuerySet":
        """Active bases for everyone signed in; internal bases only for staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        queryset = self.filter(is_active=True)
        if roles.is_staff_member(user):
            return queryset
        return queryset.filter(is_internal=False)
