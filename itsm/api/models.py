"""API tokens (shown once, stored hashed, scoped), service accounts and idempotency keys."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "itsm"


def full_access() -> list[str]:
    """Scopes of tokens issued before scopes existed, and the default of `ApiToken.issue`."""
    return ["read", "write"]


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
    #: `read` / `write` or `<area>:read` / `<area>:write` (see itsm/api/scopes.py).
    scopes = models.JSONField(default=full_access)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    def is_usable(self, now) -> bool:
        """Not revoked and not expired at `now` (the same test as `ApiToken.objects.usable()`)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def state_at(self, now) -> str:
        """ "revoked", "expired" or "active", for lists."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_usable(now) else "expired"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user, name: str, *, expires_at=None, scopes=None, created_by=None
    ) -> tuple["ApiToken", str]:
        """Create a token; returns it with the clear key, which is never stored.

        Prefer `itsm.api.tokens.create_token`, which validates the scopes and the expiry."""
        lookup = secrets.token_hex(6)
        key = f"{TOKEN_PREFIX}_{lookup}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(
            user=user,
            name=name,
            lookup=lookup,
            key_hash=cls.hash_key(key),
            expires_at=expires_at,
            scopes=list(scopes) if scopes is not None else full_access(),
            created_by=created_by,
        )
        return token, key


class ServiceAccount(models.Model):
    """Marks a user as an integration (monitoring, HR, a chat bot) rather than a person.

    The user has no usable password, so nobody signs in as it; it acts only through the
    API tokens an administrator issues for it, with the roles chosen for it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account"
    )
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a user sent with a POST: claimed while the request runs, then the
    stored 2xx response that a retry with the same key and body gets back (for 24 h)."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        COMPLETED = "completed", "Completed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_FLIGHT)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
