"""Initiatives are read in the admin; they change through the register's pages and API (services)."""

from django.contrib import admin

from improvements.models import Initiative, InitiativeEvent, InitiativeLink, SummarySubscription


class LinkInline(admin.TabularInline):
    model = InitiativeLink
    extra = 0
    can_delete = False
    readonly_fields = ("task", "kind", "created_by", "created_at")


class EventInline(admin.TabularInline):
    model = InitiativeEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "actor", "body", "created_at")


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "status", "owner", "metric", "created_at")
    list_filter = ("status",)
    search_fields = ("number", "title")
    inlines = [LinkInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SummarySubscription)
class SummarySubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "last_sent_week")
    raw_id_fields = ("user",)
