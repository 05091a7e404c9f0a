"""Mailboxes, every inbound message (with its raw bytes for audit), and e-mail preferences."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from itsm.mail.choices import DeliveryMode, ListMail, MessageStatus, Outcome, ProcessedAction
from itsm.mail.crypto import EncryptedTextField


class Mailbox(models.Model):
    """An address people write to, and (optionally) the IMAP mailbox the poller reads it from.

    `handler` names the practice handler that turns new mail into records (incidents,
    requests…); practices register handlers in `itsm.mail.registry`. `handler_option` is the
    handler's per-mailbox choice where it needs one (for requests: the catalog item's slug);
    the platform stores it without knowing what it means. A mailbox with no IMAP
    host is fed by the MTA through `manage.py ingest_email --mailbox <name>`.
    """

    name = models.SlugField(max_length=60, unique=True)
    address = models.EmailField(help_text="The address people write to, e.g. servicedesk@example.com.")
    handler = models.CharField(
        max_length=40, default="incident", help_text="What new mail becomes (a registered handler)."
    )
    handler_option = models.CharField(
        max_length=150, blank=True, help_text="The handler's choice for this mailbox, e.g. a catalog item."
    )
    is_active = models.BooleanField(default=True)
    list_mail = models.CharField(
        "Mailing-list mail",
        max_length=10,
        choices=ListMail.choices,
        default=ListMail.IGNORE,
        help_text="Mail with a List-Id header: ignored by default, so a list cannot flood the desk.",
    )
    create_senders = models.BooleanField(
        "Create accounts for unknown senders",
        default=False,
        help_text="Otherwise mail from unknown addresses is answered with a polite refusal.",
    )
    allowed_domains = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated sender domains for which accounts may be created (empty: any).",
    )

    imap_host = models.CharField("IMAP host", max_length=200, blank=True)
    imap_port = models.PositiveIntegerField("IMAP port", default=993)
    imap_ssl = models.BooleanField("IMAP over TLS", default=True)
    imap_username = models.CharField("IMAP user", max_length=200, blank=True)
    imap_password = EncryptedTextField("IMAP password", blank=True)
    password_env = models.CharField(
        "Password environment variable",
        max_length=100,
        blank=True,
        help_text="Name of an environment variable holding the password; preferred over the stored one.",
    )
    imap_folder = models.CharField("IMAP folder", max_length=200, default="INBOX")
    processed_action = models.CharField(
        max_length=10, choices=ProcessedAction.choices, default=ProcessedAction.MOVE
    )
    processed_folder = models.CharField(max_length=200, default="Processed", blank=True)

    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def accepts_list_mail(self) -> bool:
        return self.list_mail == ListMail.ACCEPT

    @property
    def polls_imap(self) -> bool:
        return bool(self.imap_host)

    def domain_allowed(self, address: str) -> bool:
        domains = [d.strip().lower() for d in self.allowed_domains.split(",") if d.strip()]
        return not domains or address.rsplit("@", 1)[-1].lower() in domains


def raw_upload_path(instance: "InboundMessage", filename: str) -> str:
    now = timezone.now()
    return f"mail/raw/{now:%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundMessageQuerySet(models.QuerySet):
    def quarantined(self) -> "InboundMessageQuerySet":
        return self.filter(status=MessageStatus.QUARANTINED)


class InboundMessage(models.Model):
    """One received message: what it was, what became of it, and the original bytes.

    `message_id` is unique: a second delivery of the same message (IMAP and the MTA pipe,
    or a retried fetch) is recognised and ignored. Messages without a Message-ID get one
    derived from a hash of their bytes. The raw message is kept as a file for audit and so
    a quarantined message can be processed again after a fix.
    """

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message_id = models.CharField(max_length=250, unique=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    from_address = models.CharField(max_length=250, blank=True)
    from_name = models.CharField(max_length=250, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    raw = models.FileField(upload_to=raw_upload_path, max_length=200)

    status = models.CharField(max_length=20, choices=MessageStatus.choices)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was ignored or quarantined.")
    detail = models.TextField(blank=True, help_text="Parser notes and error details.")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        "core.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    matched_by = models.CharField(max_length=20, blank=True, help_text="How a reply found its record.")

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["from_address", "received_at"], name="mail_sender_rate_idx"),
            models.Index(fields=["status", "received_at"], name="mail_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"

    def read_raw(self) -> bytes:
        with self.raw.open("rb") as handle:
            return handle.read()


class QuarantinedMessage(InboundMessage):
    """The quarantine list in the admin: messages kept because they could not be processed."""

    class Meta:
        proxy = True
        verbose_name = "quarantined message"


class MailPreference(models.Model):
    """How one person wants notification e-mail: immediately, as a digest, or not at all,
    and which kinds of event they do not want mailed (in-app notifications stay)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.IMMEDIATE)
    muted = models.JSONField(default=list, blank=True, help_text="Event categories not mailed.")
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"E-mail preferences of {self.user}"
