"""Per-record reply addresses: `servicedesk+INC0001234.k3v9x2q8pa@example.com`.

The plus part carries the record number and a short HMAC of it, so a reply finds its record
even when the mail client dropped In-Reply-To and References, and nobody can aim mail at
another person's record by guessing the number (the token is checked). Most mail servers
deliver `local+anything@domain` to `local@domain`; where one does not, set
`MAIL_REPLY_ADDRESS` to an address that does, or rely on the Message-ID headers and the
number in the subject.
"""

import hashlib
import hmac
import re
from email.utils import parseaddr

from django.conf import settings

_TAG = re.compile(r"^[^+@]+\+([A-Z]{2,6}\d{4,12})\.([a-z0-9]{10})@", re.IGNORECASE)


def reply_base() -> str:
    """The desk's address that replies go to (`MAIL_REPLY_ADDRESS`, else the From address)."""
    return (settings.MAIL_REPLY_ADDRESS or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]).strip()


def token_for(number: str) -> str:
    key = f"itsm.mail.reply:{settings.SECRET_KEY}".encode()
    digest = hmac.new(key, number.upper().encode(), hashlib.sha256).hexdigest()
    return digest[:10]


def reply_address(number: str) -> str:
    """The reply address for a record; the plain desk address when plus-addressing is off."""
    base = reply_base()
    if not settings.MAIL_PLUS_ADDRESSING or "@" not in base:
        return base
    local, domain = base.rsplit("@", 1)
    return f"{local}+{number}.{token_for(number)}@{domain}"


def number_from_address(address: str) -> str | None:
    """The record number a reply address carries, when its token is genuine."""
    match = _TAG.match(address.strip())
    if not match:
        return None
    number, token = match.group(1).upper(), match.group(2).lower()
    return number if hmac.compare_digest(token, token_for(number)) else None
