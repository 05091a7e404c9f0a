"""The one decision form, used on the record page, the portal list and the e-mail confirmation page."""

from django import forms

from itsm.approvals.services import COMMENT_MAX

APPROVE, REJECT = "approve", "reject"
CHOOSE = "Choose Approve or Reject."


class DecisionForm(forms.Form):
    """Approve or reject (the pressed button's value) with a comment; a rejection needs the comment.

    The service checks the comment too; the form checks it first so the message lands on the field.
    """

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (REJECT, "Reject")],
        widget=forms.HiddenInput,
        error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
        help_text="Needed when you reject: the requester reads it.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == REJECT and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say why you reject it: the requester will read it.")
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == APPROVE
