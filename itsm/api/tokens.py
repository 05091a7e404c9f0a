"""Services for API tokens and service accounts: the only write path for both.

Who may do what:
- everyone signed in issues and revokes their own tokens;
- administrators create service accounts and issue and revoke the tokens of service accounts
  (never of other people: a person's key is theirs; the Django admin can still revoke any);
- only administrators issue tokens that never expire.
"""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from itsm.api import scopes as scope_rules
from itsm.api.models import ApiToken, ServiceAccount
from itsm.core import roles
from itsm.core.exceptions import DomainError, PermissionDenied

log = logging.getLogger("itsm.api.tokens")

#: Lifetimes offered to everyone, in days; "never" is for administrators only.
EXPIRY_DAYS = (30, 90, 365)
#: Live tokens one user may hold; more is a sign of keys being created instead of reused.
MAX_LIVE_TOKENS = 50


class InvalidTokenRequest(DomainError):
    code = "invalid"


def is_admin(user) -> bool:
    return roles.has_role(user, roles.Role.ADMIN)


def is_service_account(user) -> bool:
    return ServiceAccount.objects.filter(user=user).exists()


def may_manage_tokens_of(actor, owner) -> bool:
    """The owner themselves, or an administrator for a service account."""
    if not actor.is_authenticated:
        return False
    if actor.pk == owner.pk:
        return True
    return is_admin(actor) and is_service_account(owner)


def create_token(
    owner, *, actor, name: str, scopes: list[str], expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """Issue a key for `owner`; returns the token and the clear key (shown once, never stored)."""
    if not may_manage_tokens_of(actor, owner):
        raise PermissionDenied(
            "You may issue tokens only for yourself (administrators: for service accounts)."
        )
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidTokenRequest("Give the token a name of 1 to 100 characters (what uses it).")
    try:
        cleaned = scope_rules.normalise(scopes)
    except ValueError as error:
        raise InvalidTokenRequest(str(error)) from None
    if expires_in_days is None and not is_admin(actor):
        raise InvalidTokenRequest("Only administrators may issue tokens that never expire.")
    if expires_in_days is not None and expires_in_days not in EXPIRY_DAYS:
        raise InvalidTokenRequest(f"Choose an expiry of {', '.join(map(str, EXPIRY_DAYS))} days.")
    if ApiToken.objects.usable().filter(user=owner).count() >= MAX_LIVE_TOKENS:
        raise InvalidTokenRequest(
            f"{owner} already has {MAX_LIVE_TOKENS} live tokens; revoke unused ones first."
        )
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token, key = ApiToken.issue(owner, name, expires_at=expires_at, scopes=cleaned, created_by=actor)
    log.info("API token %s (%s) issued for %s by %s, scopes %s", token.lookup, name, owner, actor, cleaned)
    return token, key


def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    """Revoke at once: the next request with the key is refused (no cache to wait for)."""
    if not may_manage_tokens_of(actor, token.user):
        raise PermissionDenied(
            "You may revoke only your own tokens (administrators: service accounts' tokens)."
        )
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            log.info("API token %s (%s) of %s revoked by %s", locked.lookup, locked.name, locked.user, actor)
    return locked


def create_service_account(
    *, actor, username: str, display_name: str, description: str, role_names: list[str]
) -> ServiceAccount:
    """A user for an integration: no usable password, the chosen roles, tokens issued by admins."""
    if not is_admin(actor):
        raise PermissionDenied("Only administrators create service accounts.")
    username = (username or "").strip()
    user_model = get_user_model()
    username_field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    try:
        username_field.run_validators(username)
    except ValidationError:
        raise InvalidTokenRequest("Use letters, digits and @ . + - _ for the account name.") from None
    if not username or len(username) > 150:
        raise InvalidTokenRequest("Give the account a name of 1 to 150 characters.")
    unknown = set(role_names) - set(roles.Role.values)
    if unknown or not role_names:
        raise InvalidTokenRequest("Choose at least one role from the list.")
    try:
        with transaction.atomic():
            user = user_model(username=username, first_name=(display_name or "").strip()[:150])
            user.set_unusable_password()
            user.save()
            user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in sorted(role_names)))
            account = ServiceAccount.objects.create(
                user=user, description=description.strip()[:200], created_by=actor
            )
    except IntegrityError:
        raise InvalidTokenRequest(f"There is already a user called {username!r}.") from None
    log.info("Service account %s created by %s with roles %s", username, actor, sorted(role_names))
    return account
