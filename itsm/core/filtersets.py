"""FilterSets shared by the workspace lists and the API."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task, Team

#: The largest value a 64-bit primary key can hold.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number in the primary-key range (anything else is a field error, not a 500)."""

    field_class = IdField


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    # distinct=False: these filter columns of the row itself; DISTINCT would defeat the queue indexes.
    kind = django_filters.MultipleChoiceFilter(choices=TaskKind.choices, distinct=False)
    state_category = django_filters.MultipleChoiceFilter(choices=StateCategory.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    assignment_group = django_filters.ModelChoiceFilter(queryset=Team.objects.all())
    assignee = IdFilter(field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull", label="Unassigned")
    requester = IdFilter(field_name="requester_id")
    service = IdFilter(field_name="service_id")
    configuration_item = IdFilter(field_name="configuration_item_id")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    # Dashboard drill-downs: the records a period figure counted (half-open: after <= t < before).
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    resolved_after = django_filters.IsoDateTimeFilter(field_name="resolved_at", lookup_expr="gte")
    resolved_before = django_filters.IsoDateTimeFilter(field_name="resolved_at", lookup_expr="lt")
    # Dashboard drill-downs behind rates (definitions in itsm/dashboards/rollups.py).
    reopened = django_filters.BooleanFilter(method="filter_reopened", label="Reopened")
    first_contact = django_filters.BooleanFilter(
        method="filter_first_contact", label="First-contact resolution"
    )
    # SLA clocks decided in a period with a breach; combined into one condition in filter_queryset.
    sla_missed_after = django_filters.IsoDateTimeFilter(method="combined", label="SLA missed from")
    sla_missed_before = django_filters.IsoDateTimeFilter(method="combined", label="SLA missed before")
    sla_definition = IdFilter(method="combined", label="SLA definition")
    sla_target = django_filters.CharFilter(method="combined", label="SLA target")
    # Satisfaction ratings of resolutions in a period (ratings come from the incidents app's provider).
    rated_after = django_filters.IsoDateTimeFilter(method="combined", label="Rated resolution from")
    rated_before = django_filters.IsoDateTimeFilter(method="combined", label="Rated resolution before")

    class Meta:
        model = Task
        fields = ["q", "kind", "state_category", "priority", "assignment_group", "assignee"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value))

    def filter_reopened(self, queryset, name, value):
        from itsm.dashboards.rollups import reopened

        return queryset.filter(reopened()) if value else queryset.exclude(reopened())

    def filter_first_contact(self, queryset, name, value):
        from itsm.dashboards.rollups import first_contact

        condition = first_contact() & Q(resolved_at__isnull=False)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def combined(self, queryset, name, value):
        """Applied together in `filter_queryset`: several parameters describe one set of clocks or ratings."""
        return queryset

    def filter_queryset(self, queryset):
        from itsm.dashboards import drilldowns

        queryset = super().filter_queryset(queryset)
        return drilldowns.narrow(queryset, self.form.cleaned_data)


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    member = IdFilter(field_name="members")

    class Meta:
        model = Team
        fields = ["q", "is_active", "member"]


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    team = IdFilter(field_name="teams")

    class Meta:
        model = get_user_model()
        fields = ["q", "team"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
