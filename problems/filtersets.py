"""The problem FilterSets: shared by the workspace queues and the API."""

import django_filters

from itsm.core.filtersets import TaskFilterSet
from problems.choices import CandidateStatus
from problems.models import Candidate, Problem
from problems.workflow import PROBLEM_WORKFLOW


class ProblemFilterSet(TaskFilterSet):
    state = django_filters.ChoiceFilter(choices=PROBLEM_WORKFLOW.choices)
    known_error = django_filters.BooleanFilter()
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")

    class Meta(TaskFilterSet.Meta):
        model = Problem
        fields = [*TaskFilterSet.Meta.fields, "state", "known_error"]


class CandidateFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CandidateStatus.choices)
    min_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="gte")

    class Meta:
        model = Candidate
        fields = ["status", "service"]
