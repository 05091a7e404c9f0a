"""Business filters for tasks; `visible_to` is the one place that decides who sees a record."""

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Exists, OuterRef, Q

from itsm.core import roles
from itsm.core.choices import StateCategory, TaskKind

#: The kinds end users raise or take part in. Every other kind (problems, changes, their tasks,
#: fulfilment tasks) is internal work that only staff see, whoever its requester or watchers are.
END_USER_KINDS = (TaskKind.INCIDENT, TaskKind.REQUEST, TaskKind.REQUEST_ITEM, TaskKind.APPROVAL)


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user: User | AnonymousUser) -> "TaskQuerySet":
        """Records `user` may see.

        Managers and admins see everything; agents (and change/knowledge managers) see
        every workable record, and the approvals `approvals_visible_to` gives them;
        requesters see, of the kinds end users own (END_USER_KINDS), what they raised, what
        they watch, and — where their organisation shares records — what colleagues raised,
        plus the approvals they are asked to decide.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if roles.sees_everything(user):
            return self
        mixed = self.model._meta.model_name == "task"  # a practice's own model holds no approvals
        if roles.is_staff_member(user):
            return self.exclude(pk__in=_hidden_approvals(user)) if mixed else self
        mine = requested_by_or_watched(user)
        if mixed:
            mine |= Q(kind=TaskKind.APPROVAL, assignee_id=user.pk)
        return self.filter(mine, kind__in=END_USER_KINDS)

    def active(self) -> "TaskQuerySet":
        return self.filter(state_category__in=StateCategory.active())

    def assigned_to_user(self, user: User) -> "TaskQuerySet":
        return self.filter(assignee=user)

    def queue_of(self, user: User) -> "TaskQuerySet":
        """Unassigned work waiting in any team the user belongs to."""
        return self.filter(assignee__isnull=True, assignment_group__members=user)

    def with_list_relations(self) -> "TaskQuerySet":
        """What a list row shows, fetched in the same query."""
        return self.select_related("requester", "assignee", "assignment_group")


def approvals_visible_to(user: User) -> Q:
    """Row filter for the approvals a user who does not see everything may see, on `Task` rows
    and on `Approval` rows alike (an approval's `assignee` is its approver, its `requester` the
    subject's requester). The one rule for the approval pages, their API and `/api/v1/tasks/`:

    - the approver (who decides it);
    - the subject's requester, their watchers and — where the organisation shares records —
      colleagues (they follow their request; read-only);
    - staff in the team the subject is assigned to (they fulfil it and chase the approvers;
      read-only). Other agents do not: an approval is between the requester and approver.

    Managers and admins see all approvals without this filter.
    """
    from itsm.core.models import Task

    condition = Q(assignee_id=user.pk) | requested_by_or_watched(user)
    if roles.is_staff_member(user):
        subject_in_my_team = Task.objects.filter(
            approval_plans__stages__approvals=OuterRef("pk"), assignment_group__members=user
        )
        condition |= Exists(subject_in_my_team)
    return condition


def _hidden_approvals(user: User) -> models.QuerySet:
    """The approval rows a staff member may not see, as a subquery to exclude. (A NOT IN over
    the few approvals costs far less on a million-task count than an OR on every row: measured
    in docs/performance.md.)"""
    from itsm.core.models import Task

    return Task.objects.filter(kind=TaskKind.APPROVAL).exclude(approvals_visible_to(user)).values("pk")


def requested_by_or_watched(user: User) -> Q:
    """Row filter for an end user's records, written for any model with a `task_ptr` or Task itself."""
    from itsm.core.models import Task

    watched = Task.watchers.through.objects.filter(task_id=OuterRef("pk"), user_id=user.pk)
    condition = Q(requester_id=user.pk) | Exists(watched)
    organisation_id = _shared_organisation_id(user)
    if organisation_id is not None:
        condition |= Q(requester__profile__organisation_id=organisation_id)
    return condition


def _shared_organisation_id(user: User) -> int | None:
    profile = getattr(user, "profile", None)
    if profile is None or profile.organisation_id is None:
        return None
    if not profile.organisation.share_records:
        return None
    return profile.organisation_id
