"""Admin for incident configuration: categories, the priority matrix, routing rules.

Incidents themselves are worked in the agent workspace, through the services.
"""

from django.contrib import admin

from incidents.models import Category, PriorityRule, RoutingRule


class SubcategoryInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    extra = 1
    verbose_name = "subcategory"
    verbose_name_plural = "subcategories"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name"]
    inlines = [SubcategoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]
    list_display_links = None


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "is_active", "assignment_group", "assignment_method", "priority"]
    list_display_links = ["name"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "assignment_group", "assignment_method"]
    autocomplete_fields = ["assignment_group"]
    raw_id_fields = ["service", "configuration_item"]
