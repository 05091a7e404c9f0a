"""Mailboxes and inbound mail for admins, and each person's own mail preferences; read-only.

IMAP passwords and raw messages never leave the database through the API.
"""

from itsm.api.viewsets import configuration_viewset
from itsm.core.roles import Role
from itsm.mail.models import InboundMessage, Mailbox, MailPreference

ADMINS = frozenset({Role.ADMIN})

MailboxViewSet = configuration_viewset(
    Mailbox.objects.all(),
    name="Mailbox",
    doc="Mailboxes mail is read from (admins); the IMAP password is never shown.",
    exclude=["imap_password"],
    read_roles=ADMINS,
    filterset_fields=("is_active", "handler"),
    ordering="name",
    ordering_fields=("name", "id"),
)
InboundMessageViewSet = configuration_viewset(
    InboundMessage.objects.all(),
    name="InboundMessage",
    doc="Received mail and what became of it (admins); `?status=quarantined` is the quarantine.",
    exclude=["raw"],
    read_roles=ADMINS,
    filterset_fields=("mailbox", "status", "task"),
    ordering="-id",
    ordering_fields=("id", "received_at"),
)
MailPreferenceViewSet = configuration_viewset(
    MailPreference.objects.all(),
    name="MailPreference",
    doc="Your e-mail preferences (each person sees only their own).",
    read_roles=None,
    owner_field="user",
)
