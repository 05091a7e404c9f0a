"""Admin for API tokens: revoke here; keys are never shown again after creation."""

from django.contrib import admin, messages

from itsm.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "lookup", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "lookup"]
    readonly_fields = ["lookup", "created_at", "last_used_at"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = ApiToken.issue(obj.user, obj.name, expires_at=obj.expires_at)
        obj.pk, obj.lookup, obj.key_hash = token.pk, token.lookup, token.key_hash
        messages.warning(request, f"Copy this key now; it will not be shown again: {key}")
