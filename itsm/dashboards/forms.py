"""The overview's filter form: period, team, service, priority; bad values are form errors, not 500s."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from itsm.cmdb.models import Service
from itsm.core.choices import Priority
from itsm.core.models import Team

PERIODS = [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("custom", "From – to")]
#: The longest custom period: keeps the per-day chart readable and the queries bounded.
MAX_DAYS = 366


class OverviewFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False, initial="30")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True), required=False, empty_label="Any team"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(), required=False, empty_label="Any service"
    )
    priority = forms.TypedChoiceField(
        choices=[("", "Any priority"), *Priority.choices], coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = Team.objects.filter(pk__in=teams)

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Give both dates for a from–to period.")
            if end < start:
                raise forms.ValidationError("The end date is before the start date.")
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(f"A period may span at most {MAX_DAYS} days.")
        return data

    def bounds(self) -> tuple[datetime, datetime]:
        """The half-open period [start, end) in the current time zone; whole days for from–to."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        tz = timezone.get_current_timezone()
        if data.get("period") == "custom":
            start = datetime.combine(data["start"], time.min, tzinfo=tz)
            end = datetime.combine(data["end"] + timedelta(days=1), time.min, tzinfo=tz)
            return start, end
        days = int(data.get("period") or 30)
        today = timezone.localdate()
        end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
        return end - timedelta(days=days), end
