"""Catalog configuration without code: categories, and items with their form variables,
approval stages and fulfilment steps as inlines. Saving an item publishes a new version
(requests already made keep theirs)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from catalog.models import ApprovalStep, CatalogItem, Category, FulfilmentStep, ItemVersion, Variable
from catalog.services import publish_item


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 0
    fields = ["name", "slug", "icon", "order", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    verbose_name_plural = "subcategories"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "icon", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubcategoryInline]


class VariableInline(admin.StackedInline):
    model = Variable
    extra = 0
    fieldsets = [
        (
            None,
            {"fields": [("order", "name", "label", "type"), ("required", "default"), "help_text", "choices"]},
        ),
        ("Validation", {"fields": [("min_value", "max_value", "pattern")], "classes": ["collapse"]}),
        ("Condition", {"fields": [("condition_variable", "condition_effect", "condition_value")]}),
    ]


class ApprovalStepInline(admin.TabularInline):
    model = ApprovalStep
    extra = 0
    fields = ["order", "name", "approver", "team", "rule", "required"]


class FulfilmentStepInline(admin.StackedInline):
    model = FulfilmentStep
    extra = 0
    fields = [
        ("order", "title", "assignment_group"),
        "instructions",
        ("condition_variable", "condition_value"),
    ]


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "service", "audience", "is_active", "standard_change", "order_count"]
    list_filter = ["is_active", "category", "audience", "standard_change"]
    search_fields = ["name", "short_description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["assignment_group"]
    filter_horizontal = ["teams", "roles"]
    readonly_fields = ["current_version", "order_count"]
    inlines = [VariableInline, ApprovalStepInline, FulfilmentStepInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        try:
            version = publish_item(form.instance, actor=request.user)
        except ValidationError as error:
            self.message_user(request, f"Not published: {' '.join(error.messages)}", messages.ERROR)
            return
        self.message_user(request, f"Published as version {version.number}.", messages.INFO)


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = ["item", "number", "created_at", "created_by"]
    list_filter = ["item"]
    readonly_fields = ["item", "number", "snapshot", "created_at", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
