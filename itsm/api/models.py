"""API tokens: shown once, stored hashed."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "itsm"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A key an integration or a person uses instead of a password.

    The key is `itsm_<lookup>_<secret>`; only the lookup part and a SHA-256 of the whole
    key are stored, so a database leak does not leak usable keys.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def is_usable(self, now) -> bool:
        """Not revoked and not expired at `now` (the same test as `ApiToken.objects.usable()`)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str, *, expires_at=None) -> tuple["ApiToken", str]:
        """Create a token; returns it with the clear key, which is never stored."""
        lookup = secrets.token_hex(6)
        key = f"{TOKEN_PREFIX}_{lookup}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(
            user=user, name=name, lookup=lookup, key_hash=cls.hash_key(key), expires_at=expires_at
        )
        return token, key
