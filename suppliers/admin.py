"""Admin for suppliers and contracts; the model's clean() carries the same date rules as the services."""

from django.contrib import admin

from suppliers.models import Contract, Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "escalation_email", "escalation_phone"]
    list_filter = ["status"]
    search_fields = ["name", "contacts"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["reference", "supplier", "kind", "start_date", "end_date", "notice_date", "owner"]
    list_filter = ["kind", "supplier"]
    search_fields = ["reference", "title", "supplier__name"]
    autocomplete_fields = ["supplier"]
    filter_horizontal = ["services", "configuration_items"]
    readonly_fields = ["renewal_notified_for"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier", "owner")
