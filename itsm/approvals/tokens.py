"""Signed, expiring, single-use links that let an approver decide from an e-mail.

The token signs `{"a": approval id, "n": nonce}` with the secret key, a salt of its own and a
timestamp. It is accepted while younger than `APPROVAL_LINK_MAX_AGE` seconds and while the
nonce still equals the approval's `link_nonce`; every decision clears that nonce, so a link
works once. Opening a link never decides: the page asks the signed-in approver to confirm.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from itsm.core.exceptions import DomainError
from itsm.notifications.services import absolute_url

SALT = "itsm.approvals.decide-link"


class LinkRefused(DomainError):
    """The link is damaged, expired, already used, or belongs to someone else."""

    code = "approval_link_refused"

    def __init__(self, message: str, *, http_status: int = 400) -> None:
        super().__init__(message)
        self.http_status = http_status


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def make_token(approval_id: int, nonce: str) -> str:
    return signing.dumps({"a": approval_id, "n": nonce}, salt=SALT, compress=False)


def read_token(token: str) -> tuple[int, str]:
    """(approval id, nonce) from a token; LinkRefused when forged, damaged or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.APPROVAL_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkRefused(
            "This approval link has expired. Open the approval from your approvals list instead.",
            http_status=410,
        ) from error
    except signing.BadSignature as error:
        raise LinkRefused("This approval link is damaged or not valid.") from error
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("n"), str):
        raise LinkRefused("This approval link is damaged or not valid.")
    return data["a"], data["n"]


def nonce_matches(approval, nonce: str) -> bool:
    return bool(approval.link_nonce) and secrets.compare_digest(approval.link_nonce, nonce)


def approval_link(approval) -> str:
    """The absolute decision link for a requested approval (the one e-mailed to the approver)."""
    if not approval.link_nonce:
        raise DomainError(f"{approval.number} was already decided: there is no decision link for it.")
    token = make_token(approval.pk, approval.link_nonce)
    return absolute_url(reverse("approval:decide-link", args=[token]))
