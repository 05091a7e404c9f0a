"""Admin forms: definitions with readable list fields, calendar windows checked as a whole, holiday import."""

import holidays as public_holidays
from django import forms
from django.core.exceptions import ValidationError

from itsm.core.choices import Priority, StateCategory, TaskKind
from itsm.sla.choices import DEFAULT_WARNING_THRESHOLDS
from itsm.sla.models import SLADefinition
from itsm.sla.models.calendars import engine_calendar


class SLADefinitionAdminForm(forms.ModelForm):
    """Checkboxes for the list conditions and "50, 75, 90" for the thresholds."""

    kinds = forms.MultipleChoiceField(
        choices=TaskKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Empty: every kind.",
    )
    priorities = forms.TypedMultipleChoiceField(
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Empty: every priority.",
    )
    pause_on = forms.MultipleChoiceField(
        choices=[(value, StateCategory(value).label) for value in StateCategory.active()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The clock pauses while the task is in these state categories.",
    )
    warning_thresholds = forms.CharField(
        required=False,
        initial=", ".join(map(str, DEFAULT_WARNING_THRESHOLDS)),
        help_text="Percent of the target used, comma-separated, e.g. 50, 75, 90. Empty: no warnings.",
    )

    class Meta:
        model = SLADefinition
        fields = [
            "name",
            "description",
            "target",
            "duration",
            "calendar",
            "active",
            "precedence",
            "kinds",
            "priorities",
            "service",
            "ci_class",
            "category",
            "organisation",
            "vip_only",
            "assignment_group",
            "pause_on",
            "warning_thresholds",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["warning_thresholds"] = ", ".join(map(str, self.instance.warning_thresholds))

    def clean_warning_thresholds(self) -> list[int]:
        text = self.cleaned_data["warning_thresholds"] or ""
        try:
            return sorted(int(part) for part in text.replace(";", ",").split(",") if part.strip())
        except ValueError:
            raise ValidationError("Write whole percentages separated by commas, e.g. 50, 75, 90.") from None


class WindowsFormSet(forms.BaseInlineFormSet):
    """A calendar's windows, checked together: at least one, none overlapping (the engine decides)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [
            (form.cleaned_data["weekday"], form.cleaned_data["start"], form.cleaned_data["end"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            engine_calendar(self.instance.time_zone, rows)
        except ValidationError as error:
            raise ValidationError(error.message_dict.get("windows") or error.messages) from None


def supported_countries() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(public_holidays.list_supported_countries()) if len(code) == 2]


class ImportHolidaysForm(forms.Form):
    """Which public holidays to add to the selected calendars."""

    country = forms.ChoiceField(choices=supported_countries, help_text="ISO 3166 country code.")
    subdivision = forms.CharField(required=False, max_length=10, help_text="e.g. BY for Bavaria; optional.")
    years = forms.CharField(help_text="e.g. 2026, 2027")

    def clean_years(self) -> list[int]:
        try:
            return [
                int(part) for part in self.cleaned_data["years"].replace(";", ",").split(",") if part.strip()
            ]
        except ValueError:
            raise ValidationError("Write years separated by commas, e.g. 2026, 2027.") from None
