"""Admin for suppliers and contracts. Saves go through the services, so admin edits are audited
and keep the underpinning SLA definitions in step like every other write."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from itsm.core.exceptions import DomainError
from suppliers import services
from suppliers.models import AuditEntry, Contract, ContractDocument, Supplier, SupplierEngagement
from suppliers.services import audit
from suppliers.services.records import CONTRACT_FIELDS, SUPPLIER_FIELDS


def _fields(form, allowed: frozenset[str]) -> dict:
    return {name: form.cleaned_data[name] for name in allowed if name in form.cleaned_data}


def _call(call):
    """A refusal by the services is the admin's 403, not a 500."""
    try:
        return call()
    except DomainError as error:
        raise PermissionDenied(error.message) from error


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "escalation_email", "escalation_phone"]
    list_filter = ["status"]
    search_fields = ["name", "contacts"]

    def save_model(self, request, obj, form, change):
        fields = _fields(form, SUPPLIER_FIELDS)
        if change:
            saved = _call(lambda: services.update_supplier(obj, actor=request.user, **fields))
        else:
            saved = _call(lambda: services.create_supplier(actor=request.user, **fields))
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        audit.record(
            "supplier.deleted", actor=request.user, supplier=obj, changes={"name": {"old": obj.name}}
        )
        super().delete_model(request, obj)


class DocumentInline(admin.TabularInline):
    model = ContractDocument
    fields = ["filename", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the contract page (the platform's upload checks)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["reference", "supplier", "kind", "start_date", "end_date", "notice_date", "owner"]
    list_filter = ["kind", "supplier"]
    search_fields = ["reference", "title", "supplier__name"]
    autocomplete_fields = ["supplier"]
    filter_horizontal = ["services", "configuration_items"]
    readonly_fields = ["renewal_notified_for", "response_definition", "resolution_definition"]
    inlines = [DocumentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier", "owner")

    def save_model(self, request, obj, form, change):
        fields = _fields(form, CONTRACT_FIELDS)
        covers = {
            "services": form.cleaned_data.get("services", []),
            "configuration_items": form.cleaned_data.get("configuration_items", []),
        }
        if change:
            saved = _call(lambda: services.update_contract(obj, actor=request.user, **covers, **fields))
        else:
            saved = _call(lambda: services.create_contract(actor=request.user, **covers, **fields))
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """What the contract covers was set by the service (and audited); only the inlines are left."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        audit.record(
            "contract.deleted",
            actor=request.user,
            supplier=obj.supplier,
            changes={"reference": {"old": obj.reference}},
        )
        super().delete_model(request, obj)


@admin.register(SupplierEngagement)
class EngagementAdmin(admin.ModelAdmin):
    """Read-only: engagements move through the record page and the API."""

    list_display = ["number", "supplier", "contract", "state", "opened_at", "responded_at", "resolved_at"]
    list_filter = ["state", "supplier"]
    search_fields = ["number", "external_reference", "supplier__name"]
    list_select_related = ["supplier", "contract"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "supplier", "contract", "actor"]
    list_filter = ["action"]
    list_select_related = ["supplier", "contract", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
