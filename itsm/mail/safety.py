"""Mail that must never become a record or be answered: auto-replies, bounces, lists, our own mail.

Answering an out-of-office with an acknowledgement, which it answers again, is the classic
service-desk mail loop. The checks follow RFC 3834 (`Auto-Submitted`), RFC 3464/6522
(delivery-status and other reports), the de-facto `Precedence`, `X-Autoreply`,
`X-Autorespond` and Exchange's `X-Auto-Response-Suppress`, list headers (RFC 2369/2919),
null or daemon senders, and the subjects of responders that set no header at all.

Mailing-list mail is automatic by default; a mailbox may accept it (`accept_lists`), for a
desk that takes requests from a team list. Its `Precedence: list/bulk` is then not held
against it either; every other check still applies, so list bounces and auto-replies stay out.
"""

import re

from django.conf import settings

from itsm.mail.parsing import ParsedMail

_DAEMONS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?|noreply-dmarc)[@+]")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|respons|antwort)|out of (the )?office|abwesenheitsnotiz"
    r"|r[ée]ponse automatique|undeliver(able|ed)|delivery status notification|returned mail"
    r"|mail delivery (failed|failure|system)|failure notice|delivery failure|away until)\b",
    re.IGNORECASE,
)
_BULK = ("bulk", "junk", "list", "auto_reply")
_LIST_PRECEDENCE = ("list", "bulk")
_REPORTS = {"delivery-status", "disposition-notification", "feedback-report"}


def automatic_reason(mail: ParsedMail, *, accept_lists: bool = False) -> str:
    """Why this message is automatic (empty string: a person wrote it)."""
    headers = mail.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    from_list = "list-id" in headers or "list-unsubscribe" in headers
    precedence = headers.get("precedence", "").strip().lower()
    list_precedence = accept_lists and from_list and precedence in _LIST_PRECEDENCE
    checks = (
        (precedence in _BULK and not list_precedence, "Precedence: bulk, junk or list"),
        ("x-autoreply" in headers or "x-autorespond" in headers, "X-Autoreply/X-Autorespond header"),
        (_suppress_all(headers.get("x-auto-response-suppress", "")), "X-Auto-Response-Suppress"),
        (from_list and not accept_lists, "mailing-list message (List-Id)"),
        (headers.get("x-loop", "").lower() == _own_loop_token(), "our own X-Loop marker"),
        (mail.content_type == "multipart/report" or mail.report_type in _REPORTS, "delivery or read report"),
        (headers.get("return-path", "").strip() == "<>", "null return path (bounce)"),
        (bool(_DAEMONS.match(mail.from_address)), "mailer daemon sender"),
        (mail.from_address in own_addresses(), "sent by this system"),
        (bool(_AUTO_SUBJECT.match(mail.subject)), "automatic-reply subject"),
    )
    return next((reason for hit, reason in checks if hit), "")


def _suppress_all(value: str) -> bool:
    tokens = {token.strip().lower() for token in value.split(",")}
    return bool(tokens & {"all", "oof", "autoreply"})


def _own_loop_token() -> str:
    return settings.EMAIL_MESSAGE_ID_DOMAIN.lower()


def own_addresses() -> set[str]:
    """Addresses this system sends from; mail from them is a loop."""
    from email.utils import parseaddr

    from itsm.mail.models import Mailbox

    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    addresses.update(address.lower() for address in Mailbox.objects.values_list("address", flat=True))
    return addresses
