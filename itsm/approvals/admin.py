"""Read-only admin views of approval plans and approvals, for admins looking into a case.

Nothing is edited here: every decision goes through `itsm.approvals.services`.
"""

from django.contrib import admin

from itsm.approvals.models import Approval, ApprovalPlan, ApprovalStage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StageInline(admin.TabularInline):
    model = ApprovalStage
    fields = ["position", "name", "rule", "required", "state", "activated_at", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApprovalPlan)
class ApprovalPlanAdmin(ReadOnlyAdmin):
    list_display = ["id", "subject", "purpose", "outcome", "created_at", "decided_at"]
    list_filter = ["outcome", "purpose"]
    search_fields = ["subject__number", "subject__title"]
    list_select_related = ["subject"]
    inlines = [StageInline]


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "approver", "state", "opened_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["number", "title", "approver__username", "approver__last_name"]
    list_select_related = ["approver"]
    fields = [
        *("number", "title", "state", "approver", "stage"),
        *("comment", "opened_at", "decided_at", "decided_by"),
    ]
    readonly_fields = fields
