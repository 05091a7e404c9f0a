"""What the problem practice adds to the portal home: a "known issue" note per service with a
published known error. Discovered by `itsm.portal` when it starts (see `itsm/portal/banners.py`).

The note names the service and says a workaround exists; it never shows the problem itself
(problems are internal work, and their root cause and workaround are written for agents).
"""

from django.contrib.auth.models import User

from itsm.portal import banners
from problems.models import Problem

#: At most this many services get a note (the portal home stays readable).
LIMIT = 10
MESSAGE = (
    "We know about this and have a workaround while we fix the cause. "
    "If it affects you, report it and we will apply the workaround for you."
)


def known_issue_banners(user: User) -> list[dict]:
    """One note per service with a published known error (the earliest publication date)."""
    rows = (
        Problem.objects.published_known_errors()
        .filter(service__isnull=False)
        .order_by("service__name", "workaround_published_at")
        .values_list("service_id", "service__name", "workaround_published_at")
    )
    notes: dict[int, dict] = {}
    for service_id, name, published in rows[: LIMIT * 5]:
        if service_id not in notes and len(notes) < LIMIT:
            notes[service_id] = {
                "kind": banners.KNOWN_ISSUE,
                "service": name,
                "since": published,
                "message": MESSAGE,
            }
    return list(notes.values())


banners.register(known_issue_banners)
