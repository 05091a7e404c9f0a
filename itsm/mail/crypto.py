"""Secrets stored in the database (IMAP passwords), encrypted with a key derived from SECRET_KEY.

Fernet (AES-128-CBC + HMAC-SHA256) authenticates as well as encrypts, so a tampered value
fails loudly instead of decrypting to garbage. Rotating SECRET_KEY makes stored passwords
unreadable: re-enter them in the admin, or take them from environment variables instead
(`Mailbox.password_env`).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"itsm.mail.crypto:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + _fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain text; raises ValueError when the key changed or the value was altered."""
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ValueError("The stored secret is not encrypted; enter it again.")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError("The stored secret cannot be decrypted (was SECRET_KEY changed?).") from None


class EncryptedTextField(models.TextField):
    """A text column holding `fernet:<token>`; Python code sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except ValueError:
            return ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
