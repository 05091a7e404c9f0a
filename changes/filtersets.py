"""The change FilterSet: shared by the workspace queues and the API."""

import django_filters

from changes.choices import ChangeType, CloseCode, RiskLevel
from changes.models import Change
from changes.workflow import CHANGE_WORKFLOW
from itsm.core.filtersets import IdFilter, TaskFilterSet


class ChangeFilterSet(TaskFilterSet):
    change_type = django_filters.MultipleChoiceFilter(choices=ChangeType.choices, distinct=False)
    risk = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, distinct=False)
    state = django_filters.MultipleChoiceFilter(choices=CHANGE_WORKFLOW.choices, distinct=False)
    close_code = django_filters.ChoiceFilter(choices=CloseCode.choices)
    change_manager = IdFilter(field_name="change_manager_id")
    affected_service = IdFilter(field_name="affected_services", distinct=True)
    affected_ci = IdFilter(field_name="affected_cis", distinct=True)
    cab_date = django_filters.DateFilter()
    planned_after = django_filters.IsoDateTimeFilter(field_name="planned_end", lookup_expr="gte")
    planned_before = django_filters.IsoDateTimeFilter(field_name="planned_start", lookup_expr="lt")

    class Meta(TaskFilterSet.Meta):
        model = Change
        fields = [
            *TaskFilterSet.Meta.fields,
            "change_type",
            "risk",
            "state",
            "close_code",
            "change_manager",
            "cab_date",
        ]
