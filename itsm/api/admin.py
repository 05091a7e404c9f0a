"""Admin for API tokens and service accounts: revoke here; keys are never shown again after creation.

The token pages (/account/api-tokens/) are the everyday place; the admin is for an
administrator who must revoke any person's token (someone leaving, a leaked key).
"""

from django import forms
from django.contrib import admin, messages

from itsm.api import scopes
from itsm.api.models import ApiToken, ServiceAccount


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in scopes.all_scopes()],
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="read/write for every area, or per area; write includes read.",
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at", "revoked_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "lookup",
        "scope_list",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "lookup"]
    readonly_fields = ["lookup", "created_at", "last_used_at", "created_by"]
    autocomplete_fields = ["user"]

    @admin.display(description="Scopes")
    def scope_list(self, obj: ApiToken) -> str:
        return ", ".join(obj.scopes)

    def get_readonly_fields(self, request, obj=None):
        # A token's owner and scopes are fixed once issued: revoke and issue a new one instead.
        return [*self.readonly_fields, "user", "scopes"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = ApiToken.issue(
            obj.user,
            obj.name,
            expires_at=obj.expires_at,
            scopes=scopes.normalise(form.cleaned_data["scopes"]),
            created_by=request.user,
        )
        obj.pk, obj.lookup, obj.key_hash = token.pk, token.lookup, token.key_hash
        messages.warning(request, f"Copy this key now; it will not be shown again: {key}")


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    """Listing only: create service accounts on the Service accounts page (it sets no password)."""

    list_display = ["user", "description", "created_by", "created_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username", "description"]
    readonly_fields = ["user", "created_by", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
