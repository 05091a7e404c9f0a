"""FilterSets shared by the workspace lists and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.core.models import Task, Team


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.MultipleChoiceFilter(choices=TaskKind.choices)
    state_category = django_filters.MultipleChoiceFilter(choices=StateCategory.choices)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    assignment_group = django_filters.ModelChoiceFilter(queryset=Team.objects.all())
    assignee = django_filters.NumberFilter(field_name="assignee_id")
    requester = django_filters.NumberFilter(field_name="requester_id")
    service = django_filters.NumberFilter(field_name="service_id")
    configuration_item = django_filters.NumberFilter(field_name="configuration_item_id")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Task
        fields = ["q", "kind", "state_category", "priority", "assignment_group", "assignee"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value))


class TeamFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")
    member = django_filters.NumberFilter(field_name="members")

    class Meta:
        model = Team
        fields = ["q", "is_active", "member"]


class UserFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    team = django_filters.NumberFilter(field_name="teams")

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
