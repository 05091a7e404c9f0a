"""The supplier FilterSets: shared by the supplier pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from itsm.core.filtersets import IdFilter, TaskFilterSet
from suppliers.choices import ContractKind, SupplierStatus
from suppliers.models import Contract, Supplier, SupplierEngagement
from suppliers.workflow import ENGAGEMENT_WORKFLOW


class SupplierFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.MultipleChoiceFilter(choices=SupplierStatus.choices)

    class Meta:
        model = Supplier
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(contacts__icontains=value)) if value else queryset


class ContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    supplier = IdFilter(field_name="supplier_id")
    kind = django_filters.MultipleChoiceFilter(choices=ContractKind.choices)
    service = IdFilter(field_name="services", distinct=True)
    configuration_item = IdFilter(field_name="configuration_items", distinct=True)
    in_force = django_filters.BooleanFilter(method="filter_in_force", label="In force today")
    expired = django_filters.BooleanFilter(method="filter_expired", label="Expired")
    notice_before = django_filters.DateFilter(field_name="notice_date", lookup_expr="lte")

    class Meta:
        model = Contract
        fields = ["q", "supplier", "kind", "service", "configuration_item", "in_force", "expired"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(title__icontains=value) | Q(supplier__name__icontains=value)
        )

    def filter_in_force(self, queryset, name, value):
        in_force = Contract.objects.in_force(timezone.localdate()).values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)

    def filter_expired(self, queryset, name, value):
        expired = Q(end_date__lt=timezone.localdate())
        return queryset.filter(expired) if value else queryset.exclude(expired)


class EngagementFilterSet(TaskFilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ENGAGEMENT_WORKFLOW.choices, distinct=False)
    supplier = IdFilter(field_name="supplier_id")
    contract = IdFilter(field_name="contract_id")
    record = IdFilter(field_name="record_id")

    class Meta(TaskFilterSet.Meta):
        model = SupplierEngagement
        fields = [*TaskFilterSet.Meta.fields, "state", "supplier", "contract", "record"]
