"""Admin for change configuration: standard-change templates, the risk questionnaire, CAB policies.

Changes themselves are worked in the agent workspace, through the services; the admin offers
them read-only.
"""

from django.contrib import admin

from changes.models import (
    CABPolicy,
    CABStage,
    Change,
    RiskAnswer,
    RiskQuestion,
    StandardChangeTemplate,
    TemplateTask,
)


class TemplateTaskInline(admin.TabularInline):
    model = TemplateTask
    extra = 1
    autocomplete_fields = ["assignment_group"]


@admin.register(StandardChangeTemplate)
class StandardChangeTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "risk", "assignment_group", "catalog_item", "is_active"]
    list_filter = ["is_active", "risk"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["assignment_group"]
    raw_id_fields = ["services", "configuration_items", "catalog_item"]
    inlines = [TemplateTaskInline]


class RiskAnswerInline(admin.TabularInline):
    model = RiskAnswer
    extra = 2
    fields = ["order", "text", "weight"]


@admin.register(RiskQuestion)
class RiskQuestionAdmin(admin.ModelAdmin):
    list_display = ["order", "text", "is_active"]
    list_display_links = ["text"]
    list_editable = ["order", "is_active"]
    inlines = [RiskAnswerInline]


class CABStageInline(admin.TabularInline):
    model = CABStage
    extra = 1
    fields = ["order", "name", "group", "rule", "required"]
    autocomplete_fields = ["group"]


@admin.register(CABPolicy)
class CABPolicyAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "change_type", "min_risk", "max_risk", "is_active"]
    list_display_links = ["name"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "change_type"]
    inlines = [CABStageInline]


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    """Read-only: every write goes through the services (the workspace and the API)."""

    list_display = ["number", "title", "change_type", "state", "risk", "planned_start"]
    list_filter = ["change_type", "state", "risk"]
    search_fields = ["number", "title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
