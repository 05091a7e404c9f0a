"""Problems, problem tasks, and the candidate problems the clustering job proposes.

Problems and problem tasks stand on `core.Task`. Incidents link to their problem through
`core.TaskLink` (incident *caused by* problem), and a problem to its fix change through
`core.TaskLink` (problem *resolved by* change), so neither practice imports the other's models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from itsm.core import roles
from itsm.core.choices import LinkKind, StateCategory, TaskKind
from itsm.core.models import Task, TaskLink
from itsm.core.querysets import TaskQuerySet
from problems.choices import CandidateStatus, FixResolution, ProblemTaskType

#: The link kind from an incident to its problem, and from a problem to its fix change.
INCIDENT_LINK = LinkKind.CAUSED_BY
FIX_LINK = LinkKind.RESOLVED_BY


def linked_incidents_of(problem_id: int) -> models.QuerySet[Task]:
    """The incidents (as Task rows) linked to a problem."""
    return Task.objects.filter(
        kind=TaskKind.INCIDENT,
        links_out__target_id=problem_id,
        links_out__kind=INCIDENT_LINK,
    )


class StaffOnlyQuerySet(TaskQuerySet):
    """Problems and their tasks are internal work: only agents and above see them, never requesters
    (not even one who raised an incident linked to the problem)."""

    def visible_to(self, user) -> "StaffOnlyQuerySet":
        if not user.is_authenticated or not user.is_active or not roles.is_staff_member(user):
            return self.none()
        return self


class ProblemQuerySet(StaffOnlyQuerySet):
    def known_errors(self) -> "ProblemQuerySet":
        """Problems whose root cause and workaround are documented and that are not retired."""
        return self.filter(known_error=True).exclude(
            state_category__in=[StateCategory.CLOSED, StateCategory.CANCELLED]
        )

    def published_known_errors(self) -> "ProblemQuerySet":
        return self.known_errors().filter(workaround_published_at__isnull=False)

    def with_incident_counts(self) -> "ProblemQuerySet":
        return self.annotate(
            incident_count=models.Count(
                "links_in", filter=Q(links_in__kind=INCIDENT_LINK, links_in__source__kind=TaskKind.INCIDENT)
            )
        )


class Problem(Task):
    """The unknown (then known) cause of one or more incidents.

    `description` holds the problem statement. The known-error flag is kept by the services:
    it is set as soon as a root cause and a workaround are both written down.
    """

    affected_cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="problems", help_text="Other CIs affected."
    )
    symptoms = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    contributing_factors = models.TextField(blank=True)
    five_whys = models.JSONField(
        default=list, blank=True, help_text="Up to five answers to “why?”, in order."
    )
    workaround = models.TextField(blank=True)
    workaround_published_at = models.DateTimeField(null=True, blank=True)
    known_error = models.BooleanField(default=False)
    known_error_at = models.DateTimeField(null=True, blank=True)
    resolution_code = models.CharField(max_length=30, choices=FixResolution.choices, blank=True)
    resolution_notes = models.TextField(blank=True)
    close_reason = models.TextField(blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-task_ptr_id"]
        indexes = [
            models.Index(
                fields=["known_error"], name="problem_known_error_idx", condition=Q(known_error=True)
            )
        ]

    def fix_change(self) -> Task | None:
        """The change linked as this problem's fix (the newest, if several)."""
        link = (
            TaskLink.objects.filter(source_id=self.pk, kind=FIX_LINK, target__kind=TaskKind.CHANGE)
            .select_related("target")
            .order_by("-created_at", "-pk")
            .first()
        )
        return link.target if link else None

    def linked_incidents(self) -> models.QuerySet[Task]:
        return linked_incidents_of(self.pk)


class ProblemTask(Task):
    """A piece of work on a problem (investigation, RCA, fix), assigned to a group."""

    parent_problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="problem_tasks")
    task_type = models.CharField(
        max_length=20, choices=ProblemTaskType.choices, default=ProblemTaskType.INVESTIGATION
    )
    outcome = models.TextField(blank=True)

    objects = StaffOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "task_ptr_id"]


class CandidateQuerySet(models.QuerySet):
    def proposed(self) -> "CandidateQuerySet":
        return self.filter(status=CandidateStatus.PROPOSED)


class Candidate(models.Model):
    """A cluster of similar recent incidents that may share a cause, proposed as a problem.

    `signature` names the cluster stably across runs — its scope (service or CI) and its
    most distinctive terms — so a dismissed cluster is never proposed again, even after
    more incidents have joined it.
    """

    signature = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=250)
    terms = models.JSONField(default=list, help_text="The cluster's most distinctive words.")
    service = models.ForeignKey(
        "cmdb.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField("core.Task", related_name="problem_candidates")
    size = models.PositiveIntegerField(default=0)
    confidence = models.FloatField(help_text="0–1: how alike the members are, discounted for small clusters.")
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-confidence", "-size", "-id"]
        indexes = [models.Index(fields=["status", "confidence"], name="candidate_status_idx")]

    def __str__(self) -> str:
        return self.title


def has_problem() -> Exists:
    """EXISTS for a Task queryset: the row (an incident) is linked to a problem."""
    return Exists(
        TaskLink.objects.filter(source_id=OuterRef("pk"), kind=INCIDENT_LINK, target__kind=TaskKind.PROBLEM)
    )


def linked_problem_of(incident_id: int) -> Task | None:
    """The problem an incident is linked to, if any (an incident has at most one)."""
    link = (
        TaskLink.objects.filter(source_id=incident_id, kind=INCIDENT_LINK, target__kind=TaskKind.PROBLEM)
        .select_related("target")
        .first()
    )
    return link.target if link else None
