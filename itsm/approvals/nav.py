"""Whether someone approves at all: the navigation links "My approvals" only for them.

Every page's navigation asks, so the answer is cached per user: "yes" for a day (people
who approve keep approving; the services set it when they ask someone) and "no" for a
minute. One EXISTS query on a miss, none on a hit.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache

YES_SECONDS, NO_SECONDS = 24 * 3600, 60


def cache_key(user_id: int) -> str:
    return f"approvals:has:{user_id}"


def remember_approver(user_id: int) -> None:
    cache.set(cache_key(user_id), True, YES_SECONDS)


def has_approvals(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    from itsm.approvals.models import Approval

    known = cache.get(cache_key(user.pk))
    if known is None:
        known = Approval.objects.filter(approver_id=user.pk).exists()
        cache.set(cache_key(user.pk), known, YES_SECONDS if known else NO_SECONDS)
    return known
