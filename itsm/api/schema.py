"""OpenAPI descriptions of the platform's own API pieces."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "itsm.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>` (or `Bearer <key>`). Issue keys on the API tokens page (account menu) "
                "with scopes per area; see docs/api.md for scopes, Idempotency-Key and rate limits."
            ),
        }


class AnonymousRateLimitScheme(OpenApiAuthenticationExtension):
    """`AnonymousRateLimit` sits in the authentication list only to count requests; it is no
    way to authenticate, so it adds no security scheme."""

    target_class = "itsm.api.ratelimit.AnonymousRateLimit"
    name: list[str] = []

    def get_security_requirement(self, auto_schema):
        return None

    def get_security_definition(self, auto_schema):
        return []
