"""Django admin for windows: they are configuration, kept by change managers and admins.

The form turns the weekday list into checkboxes; the model's `clean()` checks the rule
(time zone, weekdays for a weekly rule, last date), so a window that could never occur, or
that names an unknown zone, is refused on the form. The next occurrences are shown on the
change page so whoever edits a rule sees what it means.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join

from itsm.maintenance import recurrence
from itsm.maintenance.choices import Weekday
from itsm.maintenance.models import MaintenanceWindow

#: How many upcoming occurrences the change page lists.
PREVIEW = 8


class WindowForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Weekly windows only.",
    )

    class Meta:
        model = MaintenanceWindow
        fields = [
            "name",
            "kind",
            "description",
            "is_active",
            "applies_to_all",
            "services",
            "configuration_items",
            "time_zone",
            "starts_on",
            "start_time",
            "duration_minutes",
            "frequency",
            "interval",
            "weekdays",
            "monthly_by",
            "until",
        ]


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    form = WindowForm
    list_display = ["name", "kind", "summary", "applies_to_all", "is_active"]
    list_filter = ["kind", "is_active", "applies_to_all", "frequency"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["services", "configuration_items"]
    readonly_fields = ["upcoming", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "description", "is_active"]}),
        ("Scope", {"fields": ["applies_to_all", "services", "configuration_items"]}),
        (
            "When",
            {
                "fields": [
                    "time_zone",
                    "starts_on",
                    "start_time",
                    "duration_minutes",
                    "frequency",
                    "interval",
                    "weekdays",
                    "monthly_by",
                    "until",
                    "upcoming",
                ]
            },
        ),
        ("Record", {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Rule")
    def summary(self, window: MaintenanceWindow) -> str:
        return window.describe()

    @admin.display(description="Next occurrences")
    def upcoming(self, window: MaintenanceWindow) -> str:
        if window.pk is None:
            return "Shown once the window is saved."
        now = timezone.now()
        found = []
        for occurrence in recurrence.occurrences(window.rule(), now, now + timedelta(days=366)):
            found.append(occurrence)
            if len(found) == PREVIEW:
                break
        if not found:
            return "None in the coming year."
        zone = window.rule().zone
        return format_html_join(
            "",
            "<div>{} – {}</div>",
            (
                (f"{o.start.astimezone(zone):%a %Y-%m-%d %H:%M}", f"{o.end.astimezone(zone):%a %H:%M %Z}")
                for o in found
            ),
        )

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
