"""`Authorization: Token <key>` (or `Bearer <key>`) against hashed API tokens."""

import hmac
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from itsm.api.models import TOKEN_PREFIX, ApiToken

#: last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Token <key>'.")
        return self._authenticate_key(header[1])

    def _authenticate_key(self, key: str):
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise exceptions.AuthenticationFailed("Invalid token.")
        # One lookup by the unique `lookup`; usability is checked on the row (cheaper than a filter).
        token = ApiToken.objects.select_related("user").filter(lookup=parts[1]).first()
        if (
            token is None
            or not hmac.compare_digest(token.key_hash, ApiToken.hash_key(key))
            or not token.is_usable(timezone.now())
        ):
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        self._touch(token)
        return token.user, token

    @staticmethod
    def _touch(token: ApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)

    def authenticate_header(self, request) -> str:
        return "Token"
