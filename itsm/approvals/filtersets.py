"""The approval FilterSet, used by the API list (the pages list only the user's own)."""

import django_filters
from django import forms

from itsm.approvals.choices import Decision
from itsm.approvals.models import Approval
from itsm.core.filtersets import IdFilter


class ApproverField(forms.CharField):
    """ "me" or a user id."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, "", "me") or (value.isdigit() and 0 < int(value) < 2**63):
            return value
        raise forms.ValidationError('Give "me" or a user id.')


class ApproverFilter(django_filters.CharFilter):
    field_class = ApproverField


class ApprovalFilterSet(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Decision.choices, distinct=False)
    subject = IdFilter(field_name="stage__plan__subject_id", label="Subject task id")
    approver = ApproverFilter(method="filter_approver", label='Approver: "me" or a user id')

    class Meta:
        model = Approval
        fields = ["state", "subject", "approver"]

    def filter_approver(self, queryset, name, value):
        if not value:
            return queryset
        user_id = self.request.user.pk if value == "me" else int(value)
        return queryset.filter(approver_id=user_id)
