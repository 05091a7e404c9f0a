"""The incident FilterSet: shared by the workspace queues and the API."""

import django_filters

from incidents.choices import ContactType, MajorIncidentState
from incidents.models import Category, Incident
from itsm.core.filtersets import TaskFilterSet


class IncidentFilterSet(TaskFilterSet):
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.filter(parent__isnull=True))
    subcategory = django_filters.ModelChoiceFilter(queryset=Category.objects.filter(parent__isnull=False))
    contact_type = django_filters.ChoiceFilter(choices=ContactType.choices)
    major_state = django_filters.ChoiceFilter(choices=MajorIncidentState.choices[1:])
    state = django_filters.CharFilter()
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    updated_before = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")

    class Meta(TaskFilterSet.Meta):
        model = Incident
        fields = [
            *TaskFilterSet.Meta.fields,
            "category",
            "subcategory",
            "contact_type",
            "major_state",
            "state",
        ]
