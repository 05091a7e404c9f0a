"""`Authorization: Token <key>` (or `Bearer <key>`) against hashed API tokens.

After the key is verified, the same step counts the request against the token's rate limit
and checks the token's scopes for the view (itsm/api/scopes.py says why here). A key that
fails verification counts against its client address, like an anonymous request, so keys
cannot be guessed at speed.
"""

import hmac
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from itsm.api import ratelimit, scopes
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
            self._refuse(request, "Send the header as 'Authorization: Token <key>'.")
        token = self._token_for(request, header[1])
        if token is None:
            self._refuse(request, "Invalid, expired or revoked token.")
        if not token.user.is_active:
            self._refuse(request, "The token's user is inactive.")
        self._touch(token)
        ratelimit.enforce(request, "token", str(token.pk))
        view = request.parser_context.get("view") if request.parser_context else None
        if view is not None and scopes.applies_to(request._request):
            scopes.check(request, view, token.scopes)
        return token.user, token

    def _token_for(self, request, key: str) -> ApiToken | None:
        """The token for `key`, verified once per request (the idempotency middleware may have)."""
        earlier = getattr(request._request, "itsm_verified_token", None)
        if earlier is not None and hmac.compare_digest(earlier[0], key):
            return earlier[1]
        return self._verified_token(key)

    @staticmethod
    def _verified_token(key: str) -> ApiToken | None:
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        # One lookup by the unique `lookup`; usability is checked on the row (cheaper than a filter).
        token = ApiToken.objects.select_related("user").filter(lookup=parts[1]).first()
        if (
            token is None
            or not hmac.compare_digest(token.key_hash, ApiToken.hash_key(key))
            or not token.is_usable(timezone.now())
        ):
            return None
        return token

    @staticmethod
    def _refuse(request, message: str):
        ratelimit.enforce(request, "anonymous", ratelimit.client_address(request))
        raise exceptions.AuthenticationFailed(message)

    @staticmethod
    def _touch(token: ApiToken) -> None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)

    def authenticate_header(self, request) -> str:
        return "Token"
