"""Forms of the problem pages. They only parse input; the services decide."""

from django import forms

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.choices import Impact, Urgency
from itsm.core.models import Team
from problems.choices import FixResolution, ProblemTaskType


class ProblemForm(forms.Form):
    title = forms.CharField(max_length=250)
    description = forms.CharField(
        label="Problem statement", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    service = forms.ModelChoiceField(Service.objects.order_by("name"), required=False)
    configuration_item = forms.ModelChoiceField(
        ConfigurationItem.objects.none(), required=False, widget=forms.HiddenInput
    )
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int, initial=Impact.MEDIUM)
    urgency = forms.TypedChoiceField(choices=Urgency.choices, coerce=int, initial=Urgency.MEDIUM)
    assignment_group = forms.ModelChoiceField(
        Team.objects.filter(is_active=True).order_by("name"), required=False
    )
    incidents = forms.CharField(
        required=False, max_length=5000, help_text="Incident numbers to link, separated by spaces or commas."
    )


class RCAForm(forms.Form):
    symptoms = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)
    contributing_factors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=20_000
    )
    why_1 = forms.CharField(label="Why? (1)", required=False, max_length=2000)
    why_2 = forms.CharField(label="Why? (2)", required=False, max_length=2000)
    why_3 = forms.CharField(label="Why? (3)", required=False, max_length=2000)
    why_4 = forms.CharField(label="Why? (4)", required=False, max_length=2000)
    why_5 = forms.CharField(label="Why? (5)", required=False, max_length=2000)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def changes(self) -> dict:
        data = self.cleaned_data
        whys = [data[f"why_{n}"] for n in range(1, 6)]
        return {
            "symptoms": data["symptoms"],
            "root_cause": data["root_cause"],
            "contributing_factors": data["contributing_factors"],
            "five_whys": whys,
        }


class WorkaroundForm(forms.Form):
    workaround = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class MoveForm(forms.Form):
    resolution_code = forms.ChoiceField(choices=FixResolution.choices, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class NumbersForm(forms.Form):
    numbers = forms.CharField(max_length=5000, label="Incident numbers")


class ChangeForm(forms.Form):
    change = forms.CharField(max_length=20, label="Change number")


class ProblemTaskForm(forms.Form):
    title = forms.CharField(max_length=250)
    task_type = forms.ChoiceField(choices=ProblemTaskType.choices, label="Type")
    assignment_group = forms.ModelChoiceField(
        Team.objects.filter(is_active=True).order_by("name"), required=False
    )


class TaskMoveForm(forms.Form):
    outcome = forms.CharField(required=False, max_length=20_000)


class DismissForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


class LinkFromIncidentForm(forms.Form):
    problem = forms.IntegerField(min_value=1, max_value=2**63 - 1)
