"""`Idempotency-Key` for every POST under /api/v1/: a retried create happens once.

One middleware for the whole API (no viewset opts in). For a POST carrying the header, by a
caller the API will know (a valid token, or a signed-in session):

- the key is claimed by inserting a row unique per (user, key) in its own committed
  transaction; of two simultaneous requests with one key exactly one insert succeeds (the
  database's unique index decides, on PostgreSQL and SQLite alike);
- the claimant runs the view inside a transaction that also stores a 2xx response on the row
  (status, body, the headers that describe it), so the record and its stored answer commit
  together; anything else deletes the row, so the client may retry with the key;
- a later request with the key and the same method, path and body gets the stored response
  again with `Idempotent-Replayed: true`; with a different body 422 `idempotency_key_reused`;
  while the first is still running 409 `idempotency_key_in_flight`.

Keys live `IDEMPOTENCY_KEY_TTL` seconds (24 h); the `api.purge_idempotency_keys` beat task
deletes expired rows, and an expired row found on a claim is replaced. A claim left in flight
longer than `IDEMPOTENCY_IN_FLIGHT_TIMEOUT` (a worker killed mid-request) is given up.
"""

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from itsm.api import scopes
from itsm.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
API_PREFIX = "/api/v1/"
#: Response headers kept with the stored response (the rest are recomputed per request).
STORED_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified", "Content-Language")
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_KEY_TTL", 24 * 3600))


def in_flight_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_IN_FLIGHT_TIMEOUT", 120))


def error(status: int, code: str, message: str) -> JsonResponse:
    """The API's one error format (itsm/api/errors.py), for answers given before DRF runs."""
    return JsonResponse({"error": {"status": status, "code": code, "message": message}}, status=status)


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def claim(user, key: str, print_: str) -> IdempotencyKey | HttpResponse:
    """The new in-flight row, or the answer for a key already used (replay, 409 or 422)."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                _without_waiting_for_the_disk()
                return IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=print_, created_at=now, expires_at=now + ttl()
                )
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:  # released between our insert and this read: try again
            continue
        if _abandoned(existing, now):
            IdempotencyKey.objects.filter(
                pk=existing.pk, state=existing.state, created_at=existing.created_at
            ).delete()
            continue
        return answer_for(existing, print_)
    return error(
        409, "idempotency_key_in_flight", "A request with this Idempotency-Key is being processed; retry."
    )


def _without_waiting_for_the_disk() -> None:
    """PostgreSQL: commit the claim without waiting for its WAL flush (saves a disk sync per
    request). Safe here: other sessions see the claim at once; only a database crash could
    lose it, and that crash ends the claimant's request too. The record and its stored
    response keep the normal, durable commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _abandoned(record: IdempotencyKey, now) -> bool:
    if record.expires_at <= now:
        return True
    return record.state == IdempotencyKey.State.IN_FLIGHT and record.created_at < now - in_flight_timeout()


def answer_for(record: IdempotencyKey, print_: str) -> HttpResponse:
    if record.fingerprint != print_:
        return error(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request (method, path or body). "
            "Use a new key for a new request.",
        )
    if record.state == IdempotencyKey.State.IN_FLIGHT:
        return error(
            409,
            "idempotency_key_in_flight",
            "A request with this Idempotency-Key is still being processed; retry in a moment.",
        )
    response = HttpResponse(bytes(record.body), status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def complete(record: IdempotencyKey, response: HttpResponse) -> None:
    IdempotencyKey.objects.filter(pk=record.pk).update(
        state=IdempotencyKey.State.COMPLETED,
        status_code=response.status_code,
        headers={name: response[name] for name in STORED_HEADERS if response.has_header(name)},
        body=response.content,
    )


def release(record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, state=IdempotencyKey.State.IN_FLIGHT).delete()


def caller(request):
    """The user the API will see: a valid token's (if its scopes let it write here), else the
    session's; None when the API itself must answer (no or bad credentials, missing scope), so
    a token never gets a stored answer it could not have got by running the request."""
    from itsm.api.authentication import ApiTokenAuthentication

    parts = request.headers.get("Authorization", "").split()
    if len(parts) == 2 and parts[0].lower() in ApiTokenAuthentication.keywords:
        token = ApiTokenAuthentication._verified_token(parts[1])
        # The authentication step reuses this instead of looking the key up a second time.
        request.itsm_verified_token = (parts[1], token)
        if token is None or not token.user.is_active or not _may_write(token, request):
            return None
        return token.user
    if parts:
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _may_write(token, request) -> bool:
    """The token's scopes cover a write to the view this path leads to."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None)
    if view_class is None:
        return False
    view = view_class(**getattr(match.func, "initkwargs", {}))
    return scopes.allows(token.scopes, scopes.area_of(view), scopes.WRITE)


class IdempotencyMiddleware:
    """Applies the rules above to POSTs under /api/v1/ that carry an Idempotency-Key."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if not _VALID_KEY.match(key):
            return error(
                400, "bad_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters."
            )
        user = caller(request)
        if user is None:
            return self.get_response(request)  # the API answers 401 or 403 itself
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return error(
                413,
                "idempotency_body_too_large",
                f"Requests with an Idempotency-Key may have a body of at most {limit} bytes.",
            )
        outcome = claim(user, key, fingerprint(request))
        if isinstance(outcome, HttpResponse):
            return outcome
        stored = False
        try:
            # The view's writes and the stored response commit together: a crash cannot leave
            # a created record whose key would let a retry create it again.
            with transaction.atomic():
                response = self.get_response(request)
                if 200 <= response.status_code < 300 and not response.streaming:
                    complete(outcome, response)
                    stored = True
        finally:
            if not stored:
                release(outcome)
        return response
