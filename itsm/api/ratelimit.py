"""Rate limits for the API: per token, and per client address for requests without one.

Fixed windows counted in the Django cache (Redis in production, so every worker shares the
count; the per-process memory cache in development). Limits come from
`settings.API_RATE_LIMITS`, e.g. `{"token": "6000/minute", "anonymous": "60/minute"}`.

The count is taken in the authentication step (`ApiTokenAuthentication` for tokens,
`AnonymousRateLimit` for requests that no authenticator accepted), because DRF checks
permissions before throttles: a throttle class would never see the anonymous 401s or a
token's 403s. Browser sessions are not limited here (the sign-in page has its own limit).
`RateLimitHeadersMiddleware` adds the `RateLimit-*` headers to every counted response.

If the cache is down the request is let through (and logged): a broken limiter must not
take the API down with it.
"""

import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import authentication, exceptions

log = logging.getLogger("itsm.api.ratelimit")

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    window: int  # seconds


@dataclass(frozen=True)
class Usage:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends
    exceeded: bool


class RateLimited(exceptions.Throttled):
    default_code = "rate_limited"

    def __init__(self, wait: int, limit: int) -> None:
        super().__init__(
            wait=wait,
            detail=f"Rate limit of {limit} requests exceeded; try again in {wait} seconds.",
            code="rate_limited",
        )


def parse_rate(text: str | None) -> Rate | None:
    """`"600/minute"` → Rate(600, 60); empty or `"off"` → None (no limit)."""
    if not text or text.strip().lower() in {"off", "none", "0"}:
        return None
    match = _RATE.match(text.lower())
    if not match:
        raise ValueError(f"A rate looks like '600/minute' (second, minute, hour or day), not {text!r}.")
    return Rate(int(match[1]), _PERIODS[match[2]])


def rate_for(kind: str) -> Rate | None:
    return parse_rate(getattr(settings, "API_RATE_LIMITS", {}).get(kind))


def hit(bucket: str, rate: Rate) -> Usage | None:
    """Count one request against `bucket`; None when the cache cannot count."""
    now = time.time()
    key = f"api-rate:{bucket}:{int(now // rate.window)}"
    try:
        count = _count(key, rate.window + 1)
    except Exception:  # noqa: BLE001 - any cache failure: let the request through
        log.warning("Rate limit cache unavailable; request not counted", exc_info=True)
        return None
    reset = max(1, math.ceil(rate.window - now % rate.window))
    return Usage(rate.limit, max(0, rate.limit - count), reset, count > rate.limit)


def _count(key: str, timeout: int) -> int:
    """Increment the window's counter, creating it with its expiry when it is new.

    On Redis one round trip (SET NX EX and INCR pipelined; Django's `add` and `incr` take
    three); elsewhere the cache API, atomic in the memory cache too (it holds a lock)."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(full_key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.set(full_key, 0, ex=timeout, nx=True)
        pipe.incr(full_key)
        return pipe.execute()[1]
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def enforce(request, kind: str, bucket: str) -> None:
    """Count the DRF `request` against `bucket` under the `kind` limit; 429 when over it."""
    rate = rate_for(kind)
    if rate is None:
        return
    usage = hit(f"{kind}:{bucket}", rate)
    if usage is None:
        return
    request._request.api_rate_usage = usage
    if usage.exceeded:
        raise RateLimited(wait=usage.reset, limit=usage.limit)


def client_address(request) -> str:
    """The peer address (set REMOTE_ADDR from a trusted proxy's header in the proxy, not here)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


class AnonymousRateLimit(authentication.BaseAuthentication):
    """Last in the authentication list: counts requests that nothing authenticated, per address.

    It never authenticates anyone; it returns None so DRF goes on to answer 401 or serve a
    public view."""

    def authenticate(self, request):
        enforce(request, "anonymous", client_address(request))
        return None


class RateLimitHeadersMiddleware:
    """Adds `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` to counted responses."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        usage = getattr(request, "api_rate_usage", None)
        if usage is not None:
            response["RateLimit-Limit"] = str(usage.limit)
            response["RateLimit-Remaining"] = str(usage.remaining)
            response["RateLimit-Reset"] = str(usage.reset)
            if usage.exceeded and not response.has_header("Retry-After"):
                response["Retry-After"] = str(usage.reset)
        return response
