"""Admin: mailboxes (IMAP settings, encrypted password), every inbound message, the quarantine."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html

from itsm.mail import registry
from itsm.mail.choices import MessageStatus
from itsm.mail.models import InboundMessage, Mailbox, MailPreference, QuarantinedMessage
from itsm.mail.services import reprocess

RAW_PREVIEW_BYTES = 200_000


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted. Leave empty to keep the current password.",
    )
    record_type = forms.ChoiceField(
        label="New mail becomes",
        choices=registry.record_types,
        help_text="Incidents, or requests for a catalog item (items without required questions).",
    )

    class Meta:
        model = Mailbox
        fields = [
            "name", "address", "record_type", "is_active", "list_mail", "create_senders", "allowed_domains",
            "imap_host", "imap_port", "imap_ssl", "imap_username", "imap_password", "password_env",
            "imap_folder", "processed_action", "processed_folder",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["record_type"] = registry.join_record_type(
                self.instance.handler, self.instance.handler_option
            )

    def clean(self) -> dict:
        """The one list's value is stored as the handler and its option (see the registry)."""
        cleaned = super().clean()
        if cleaned.get("record_type"):
            self.instance.handler, self.instance.handler_option = registry.split_record_type(
                cleaned["record_type"]
            )
        return cleaned

    def clean_imap_password(self) -> str:
        value = self.cleaned_data.get("imap_password")
        return value or (self.instance.imap_password if self.instance.pk else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "name",
        "address",
        "new_mail_becomes",
        "is_active",
        "imap_host",
        "last_polled_at",
        "has_error",
    ]
    readonly_fields = ["last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "address", "record_type", "is_active"]}),
        ("Senders", {"fields": ["create_senders", "allowed_domains", "list_mail"]}),
        (
            "IMAP polling (leave the host empty when the MTA pipes mail to ingest_email)",
            {
                "fields": [
                    "imap_host",
                    "imap_port",
                    "imap_ssl",
                    "imap_username",
                    "imap_password",
                    "password_env",
                    "imap_folder",
                    "processed_action",
                    "processed_folder",
                ]
            },
        ),
        ("Status", {"fields": ["last_polled_at", "last_error"]}),
    ]

    @admin.display(description="New mail becomes", ordering="handler")
    def new_mail_becomes(self, obj: Mailbox) -> str:
        return f"{obj.handler}: {obj.handler_option}" if obj.handler_option else obj.handler

    @admin.display(boolean=True, description="Error")
    def has_error(self, obj: Mailbox) -> bool:
        return bool(obj.last_error)


class _MessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_address", "subject", "status", "reason", "record", "outcome"]
    list_filter = ["status", "outcome", "mailbox"]
    search_fields = ["from_address", "subject", "message_id"]
    date_hierarchy = "received_at"
    list_select_related = ["task"]
    exclude = ["raw"]
    actions = ["process_again"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in InboundMessage._meta.fields if f.name != "raw"] + ["raw_message"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Record", ordering="task__number")
    def record(self, obj: InboundMessage) -> str:
        return obj.task.number if obj.task_id else "—"

    @admin.display(description="Raw message")
    def raw_message(self, obj: InboundMessage) -> str:
        if not obj.raw:
            return "—"
        with obj.raw.open("rb") as handle:
            data = handle.read(RAW_PREVIEW_BYTES)
        more = obj.size > RAW_PREVIEW_BYTES
        return format_html(
            '<p><a href="{}">Download the original ({} bytes)</a>{}</p><pre class="raw-mail">{}</pre>',
            "../raw/",
            f"{obj.size:,}",
            " — preview truncated" if more else "",
            data.decode("utf-8", errors="replace"),
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.download)
        extra = [path("<int:pk>/raw/", view, name="{}_{}_raw".format(*info))]
        return extra + super().get_urls()

    def download(self, request, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        record = get_object_or_404(InboundMessage, pk=pk)
        response = HttpResponse(record.read_raw(), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="message-{record.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.action(description="Process again (after fixing the cause)")
    def process_again(self, request, queryset) -> None:
        outcomes: dict[str, int] = {}
        for record in queryset.exclude(status=MessageStatus.PROCESSED):
            result = reprocess(record)
            outcomes[result.get_status_display()] = outcomes.get(result.get_status_display(), 0) + 1
        parts = [f"{count} {label.lower()}" for label, count in outcomes.items()]
        summary = ", ".join(parts) or "nothing to do"
        messages.info(request, f"Processed again: {summary}.")


@admin.register(InboundMessage)
class InboundMessageAdmin(_MessageAdmin):
    pass


@admin.register(QuarantinedMessage)
class QuarantineAdmin(_MessageAdmin):
    list_display = ["received_at", "from_address", "subject", "reason", "size"]
    list_display_links = ["received_at", "subject"]
    list_filter = ["mailbox"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=MessageStatus.QUARANTINED)


@admin.register(MailPreference)
class MailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "muted", "last_digest_at"]
    list_filter = ["mode"]
    raw_id_fields = ["user"]
