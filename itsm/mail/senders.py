"""Who sent a message: an existing account, a new requester account, or nobody (refused)."""

import re

from django.contrib.auth.models import Group, User

from itsm.core.roles import Role

GATEWAY_USERNAME = "mail-gateway"


def find_sender(address: str) -> User | None:
    """The active account with this address (the oldest, if several share it)."""
    return User.objects.filter(email__iexact=address, is_active=True).order_by("pk").first()


def create_sender(address: str, name: str) -> User:
    """A requester account for a new correspondent; it has no password until they set one."""
    first, _, last = name.partition(" ")
    user = User(username=_free_username(address), email=address, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.REQUESTER)[0])
    return user


def gateway_user() -> User:
    """The account the channel acts as where a service needs an agent and no person acted:
    linking a follow-up incident to the closed one a requester replied to. It cannot log in."""
    user, created = User.objects.get_or_create(
        username=GATEWAY_USERNAME, defaults={"first_name": "E-mail", "last_name": "gateway"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=Role.AGENT)[0])
    return user


def _free_username(address: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", address.lower())[:140] or "mail-user"
    candidate, suffix = base, 1
    while User.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base[:140]}-{suffix}"
    return candidate
