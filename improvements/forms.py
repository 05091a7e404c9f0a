"""Forms of the register: proposing an initiative, editing it, moving it, linking a record."""

from django import forms
from django.contrib.auth import get_user_model

from itsm.core.roles import STAFF_ROLES


def staff_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=list(STAFF_ROLES))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class InitiativeForm(forms.Form):
    title = forms.CharField(max_length=200)
    motivation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="The figure, problem or review that shows what to improve.",
    )
    expected_benefit = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="What should change, and by how much.",
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    links = forms.CharField(
        max_length=500,
        required=False,
        label="Linked problems and changes",
        help_text="Record numbers separated by commas, e.g. PRB0001001, CHG0001002.",
    )
    metric = forms.CharField(max_length=80, required=False, widget=forms.HiddenInput)
    baseline_value = forms.FloatField(required=False, widget=forms.HiddenInput)
    source_url = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()

    def clean_links(self) -> list[str]:
        raw = self.cleaned_data.get("links") or ""
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()][:20]


class EditForm(forms.Form):
    title = forms.CharField(max_length=200)
    motivation = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    expected_benefit = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()


class MoveForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False)
    measured_outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="What actually changed (needed to mark it realised).",
    )
    outcome_value = forms.FloatField(required=False, label="Figure's value now")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        help_text="Why it is abandoned (needed to abandon).",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LinkForm(forms.Form):
    number = forms.CharField(max_length=20, label="Problem or change number")
