"""Forms of the API token pages: issue a token (name, expiry, access per area), add a service account."""

from django import forms

from itsm.api import scopes
from itsm.api.tokens import EXPIRY_DAYS
from itsm.core import roles

NONE = ""
ACCESS_CHOICES = [(NONE, "No access"), (scopes.READ, "Read"), (scopes.WRITE, "Read and write")]
NEVER = "never"


class TokenForm(forms.Form):
    """One access level for the whole API, and one per area on top of it."""

    name = forms.CharField(
        label="Name", max_length=100, help_text="What uses the key, e.g. “Monitoring (Zabbix)”."
    )
    expires = forms.ChoiceField(label="Expires after")
    all_areas = forms.ChoiceField(
        label="Every area",
        choices=ACCESS_CHOICES,
        required=False,
        help_text="Access to the whole API. Give less: choose per area below instead.",
    )

    def __init__(self, *args, allow_never: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        expiry = [(str(days), f"{days} days") for days in EXPIRY_DAYS]
        if allow_never:
            expiry.append((NEVER, "Never (administrators only)"))
        self.fields["expires"].choices = expiry
        self.fields["expires"].initial = "90"
        for area, label in scopes.AREAS.items():
            self.fields[f"area_{area}"] = forms.ChoiceField(
                label=label, choices=ACCESS_CHOICES, required=False
            )

    def area_fields(self):
        return [self[f"area_{area}"] for area in scopes.AREAS]

    def clean(self):
        data = super().clean()
        chosen = [data.get("all_areas")] if data.get("all_areas") else []
        chosen += [f"{area}:{data[f'area_{area}']}" for area in scopes.AREAS if data.get(f"area_{area}")]
        if not chosen:
            raise forms.ValidationError("Choose the access the key needs: for every area or for some areas.")
        data["scopes"] = chosen
        data["expires_in_days"] = None if data.get("expires") == NEVER else int(data.get("expires") or 0)
        return data


class ServiceAccountForm(forms.Form):
    username = forms.CharField(
        label="Account name",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only, e.g. “monitoring-bot”.",
    )
    display_name = forms.CharField(label="Display name", max_length=150, required=False)
    description = forms.CharField(label="What it is for", max_length=200, required=False)
    role_names = forms.MultipleChoiceField(
        label="Roles",
        choices=roles.Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The account's tokens can never do more than these roles allow.",
    )
