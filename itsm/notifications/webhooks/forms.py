"""The webhook form: what an integrator fills in; saving goes through the services."""

from django import forms

from itsm.cmdb.models import Service
from itsm.core.models import Team
from itsm.notifications.webhooks.events import EVENT_TYPES

EVENT_CHOICES = [(name, f"{name} — {label}") for name, label in EVENT_TYPES.items() if name != "webhook.ping"]


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who receives these events, e.g. “Monitoring bridge”.")
    url = forms.URLField(
        label="Payload URL",
        max_length=500,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
        help_text="Receives a signed POST per event. Private and loopback addresses are refused.",
    )
    event_types = forms.MultipleChoiceField(
        label="Events", choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.order_by("name"),
        required=False,
        help_text="Only records of these services (none chosen: every service).",
    )
    assignment_groups = forms.ModelMultipleChoiceField(
        label="Assignment groups",
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text="Only records assigned to these groups (none chosen: every group).",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
