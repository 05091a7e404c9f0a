"""Admin for the core's configuration models. Records (tasks) are worked in the workspace, not here."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from itsm.core.models import Organisation, Profile, SystemHeartbeat, Team

User = get_user_model()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "lead", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["lead", "members"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "share_records"]
    list_filter = ["kind", "share_records"]
    search_fields = ["name", "email_domain"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fk_name = "user"
    autocomplete_fields = ["manager"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = [*DjangoUserAdmin.list_filter, "profile__vip", "profile__organisation"]


@admin.register(SystemHeartbeat)
class SystemHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_at", "detail"]
    readonly_fields = ["name", "seen_at", "detail"]

    def has_add_permission(self, request) -> bool:
        return False
