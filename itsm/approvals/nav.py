"""Whether someone approves at all: the navigation links "My approvals" only for them.

Every page's navigation asks, so this is one EXISTS query on the approver's foreign-key
index — the same one query on every page. (A per-user cache would save it on most pages,
but then the first page a person opens would cost one query more than the next, and the
answer would go stale across processes that do not share a cache.)
"""

from django.contrib.auth.models import AnonymousUser, User


def has_approvals(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    from itsm.approvals.models import Approval

    return Approval.objects.filter(approver_id=user.pk).exists()
