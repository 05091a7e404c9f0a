"""Admin for SLA configuration: calendars (with holiday import), definitions with escalation steps,
clocks and their history read-only, and the progress of background re-computations."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html

from itsm.sla.forms import ImportHolidaysForm, SLADefinitionAdminForm, WindowsFormSet
from itsm.sla.models import (
    Calendar,
    ClockRecompute,
    EscalationStep,
    Holiday,
    SLAClock,
    SLADefinition,
    SLAEvent,
    WorkingWindow,
)
from itsm.sla.services import import_public_holidays, request_recompute
from itsm.sla.services.calendars import restart_recompute
from itsm.sla.services.definitions import TIMING_FIELDS


class WorkingWindowInline(admin.TabularInline):
    model = WorkingWindow
    formset = WindowsFormSet
    extra = 0
    min_num = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "latest_recompute"]
    search_fields = ["name"]
    inlines = [WorkingWindowInline, HolidayInline]
    readonly_fields = ["latest_recompute"]
    actions = ["import_holidays"]

    def save_related(self, request, form, formsets, change) -> None:
        """Windows and holidays are saved now; the running clocks on the calendar follow in the background."""
        super().save_related(request, form, formsets, change)
        if change:
            job = request_recompute(calendar=form.instance)
            if job is not None:
                messages.info(
                    request, "The calendar's running clocks are being re-computed in the background."
                )

    @admin.display(description="Re-computation")
    def latest_recompute(self, calendar: Calendar) -> str:
        job = calendar.recomputes.first()
        if job is None:
            return "—"
        return format_html(
            "{} — {} of {} clocks ({}%)", job.get_status_display(), job.done, job.total, job.progress_percent
        )

    @admin.action(description="Import public holidays…")
    def import_holidays(self, request, queryset):
        """An intermediate page asks for country, subdivision and years, then imports into each calendar."""
        applying = "apply" in request.POST
        form = ImportHolidaysForm(request.POST if applying else None)
        if applying and form.is_valid():
            try:
                with transaction.atomic():
                    added = sum(
                        import_public_holidays(calendar, **form.cleaned_data) for calendar in queryset
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{added} public holiday(s) added.")
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Import public holidays",
            "form": form,
            "calendars": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "sla/admin/import_holidays.html", context)


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0
    autocomplete_fields = ["user", "team"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SLADefinition)
class SLADefinitionAdmin(admin.ModelAdmin):
    form = SLADefinitionAdminForm
    list_display = ["name", "target", "duration", "calendar", "precedence", "active"]
    list_filter = ["target", "active", "calendar"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["service", "organisation", "assignment_group"]
    inlines = [EscalationStepInline]
    fieldsets = [
        (None, {"fields": ["name", "description", "target", "duration", "calendar", "active", "precedence"]}),
        (
            "Applies to",
            {
                "fields": [
                    "kinds",
                    "priorities",
                    "service",
                    "ci_class",
                    "category",
                    "organisation",
                    "vip_only",
                    "assignment_group",
                ]
            },
        ),
        ("Timing", {"fields": ["pause_on", "warning_thresholds"]}),
    ]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        timing_fields = {name.removesuffix("_id") for name in TIMING_FIELDS}
        if change and timing_fields & set(form.changed_data):
            request_recompute(definition=obj)


class SLAEventInline(admin.TabularInline):
    model = SLAEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["kind", "percent", "at", "recorded_at", "detail"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SLAClock)
class SLAClockAdmin(admin.ModelAdmin):
    """Clocks are written by the services and the sweep only; the admin shows them."""

    list_display = ["task", "definition", "target", "stage", "due_at", "warned_percent", "breached_at"]
    list_filter = ["stage", "target", "definition"]
    search_fields = ["task__number"]
    list_select_related = ["task", "definition"]
    inlines = [SLAEventInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClockRecompute)
class ClockRecomputeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "calendar", "definition", "status", "done", "total", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in ClockRecompute._meta.fields]
    actions = ["run_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Run again (continues where it stopped)")
    def run_again(self, request, queryset) -> None:
        for job in queryset:
            restart_recompute(job)
        messages.info(request, f"{queryset.count()} re-computation(s) queued.")
