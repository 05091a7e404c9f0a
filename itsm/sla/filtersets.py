"""FilterSets shared by the admin-facing lists and the API."""

import django_filters

from itsm.core.filtersets import IdFilter
from itsm.sla.choices import ClockStage, Target
from itsm.sla.models import Calendar, SLAClock, SLADefinition


class CalendarFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = Calendar
        fields = ["q", "time_zone"]


class SLADefinitionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    target = django_filters.MultipleChoiceFilter(choices=Target.choices)

    class Meta:
        model = SLADefinition
        fields = ["q", "target", "active", "calendar"]


class SLAClockFilterSet(django_filters.FilterSet):
    task = IdFilter(field_name="task_id")
    target = django_filters.MultipleChoiceFilter(choices=Target.choices)
    stage = django_filters.MultipleChoiceFilter(choices=ClockStage.choices)
    breached = django_filters.BooleanFilter(field_name="breached_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = SLAClock
        fields = ["task", "target", "stage", "breached"]
