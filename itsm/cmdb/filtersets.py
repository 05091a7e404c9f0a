"""FilterSets for services, CIs and relationships: one per model, shared by the pages and the API."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform

from itsm.cmdb.choices import (
    CIClass,
    CIStatus,
    Criticality,
    Environment,
    OperationalStatus,
    RelationshipKind,
    ServiceKind,
)
from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service
from itsm.core.filtersets import IdFilter
from itsm.core.models import Team

#: Multiple choices render as checkbox chips on the pages; the API reads repeated parameters.
CHECKBOXES = forms.CheckboxSelectMultiple

#: `key=value` in the CI search looks in the free attributes when the key looks like one.
ATTRIBUTE_SEARCH = re.compile(r"^\s*(?P<key>[\w.-]{1,64})\s*=\s*(?P<value>.*?)\s*$")


class ServiceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=ServiceKind.choices, empty_label="Any kind")
    operational_status = django_filters.MultipleChoiceFilter(
        choices=OperationalStatus.choices, label="Status", widget=CHECKBOXES
    )
    criticality = django_filters.MultipleChoiceFilter(choices=Criticality.choices, widget=CHECKBOXES)
    owner_team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), label="Owner team", empty_label="Any team"
    )

    class Meta:
        model = Service
        fields = ["q", "kind", "operational_status", "criticality", "owner_team"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class ConfigurationItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    ci_class = django_filters.MultipleChoiceFilter(choices=CIClass.choices, label="Class", widget=CHECKBOXES)
    status = django_filters.MultipleChoiceFilter(choices=CIStatus.choices, widget=CHECKBOXES)
    environment = django_filters.MultipleChoiceFilter(choices=Environment.choices, widget=CHECKBOXES)
    owner_team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), label="Owner team", empty_label="Any team"
    )
    service = django_filters.ModelChoiceFilter(
        field_name="services", queryset=Service.objects.all(), label="Delivers service", empty_label="Any"
    )

    class Meta:
        model = ConfigurationItem
        fields = ["q", "ci_class", "status", "environment", "owner_team", "service"]

    def search(self, queryset, name, value):
        """Name or description; `key=value` searches the free attributes (e.g. `os=Debian 12`)."""
        value = value.strip()
        if not value:
            return queryset
        attribute = ATTRIBUTE_SEARCH.match(value)
        if attribute:
            # The key is one literal JSON key (never a lookup path); values compare as text.
            return queryset.alias(_attribute=KeyTextTransform(attribute["key"], "attributes")).filter(
                _attribute__iexact=attribute["value"]
            )
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class CIRelationshipFilterSet(django_filters.FilterSet):
    source = IdFilter(field_name="source_id", label="Source CI")
    target = IdFilter(field_name="target_id", label="Target CI")
    ci = IdFilter(method="either_end", label="Either end")
    kind = django_filters.MultipleChoiceFilter(choices=RelationshipKind.choices, widget=CHECKBOXES)

    class Meta:
        model = CIRelationship
        fields = ["source", "target", "ci", "kind"]

    def either_end(self, queryset, name, value):
        return queryset.filter(Q(source_id=value) | Q(target_id=value))
