"""The person's own e-mail settings: immediately, as a digest or not at all, and what to mute."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from itsm.mail.choices import ALWAYS_IMMEDIATE, DeliveryMode, EventCategory
from itsm.mail.preferences import preference_for, update_preferences

MUTABLE = [(value, label) for value, label in EventCategory.choices if value not in ALWAYS_IMMEDIATE]


class PreferenceForm(forms.Form):
    mode = forms.ChoiceField(
        label="Send me notification e-mail", choices=DeliveryMode.choices, widget=forms.RadioSelect
    )
    wanted = forms.MultipleChoiceField(
        label="E-mail me about",
        choices=MUTABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Approval requests are always e-mailed at once: somebody is waiting for your decision.",
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = preference_for(request.user)
    initial = {"mode": current.mode, "wanted": [v for v, _ in MUTABLE if v not in current.muted]}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["wanted"])
        muted = [value for value, _ in MUTABLE if value not in wanted]
        try:
            update_preferences(request.user, actor=request.user, mode=form.cleaned_data["mode"], muted=muted)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your e-mail settings were saved.")
            return redirect("mail:preferences")
    return render(request, "mail/preferences.html", {"form": form, "preference": current})
