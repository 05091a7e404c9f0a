"""Forms of the supplier pages: engaging a supplier, moving an engagement, importing contracts, documents."""

from django import forms

from suppliers.choices import SupplierStatus
from suppliers.models import Contract, Supplier
from suppliers.services.importing import MAX_BYTES


class EngageForm(forms.Form):
    """Engage under one of the covering contracts (`contracts`), or a supplier without a contract."""

    contract = forms.ModelChoiceField(
        queryset=Contract.objects.none(), required=False, widget=forms.HiddenInput
    )
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.exclude(status=SupplierStatus.INACTIVE),
        required=False,
        empty_label="Choose a supplier…",
        help_text="Only when no covering contract applies.",
    )
    external_reference = forms.CharField(
        label="Supplier's reference", max_length=100, required=False, help_text="Their case or ticket number."
    )
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What they are asked to do.",
    )

    def __init__(self, *args, contracts=None, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.fields["contract"].queryset = contracts if contracts is not None else Contract.objects.none()

    def clean(self):
        data = super().clean()
        if not data.get("contract") and not data.get("supplier"):
            raise forms.ValidationError("Choose a covering contract or a supplier.")
        return data


class MoveForm(forms.Form):
    note = forms.CharField(
        label="Note", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    external_reference = forms.CharField(label="Supplier's reference", max_length=100, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text=f"UTF-8, comma or semicolon separated, at most {MAX_BYTES // 2**20} MB."
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label="Document")
