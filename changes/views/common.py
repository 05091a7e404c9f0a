"""What every change view shares: staff only, records found through `visible_to`, service errors shown."""

from collections.abc import Iterable

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from changes.models import Change
from changes.scheduling import collision_sentence, collisions_on_save
from itsm.core.filtersets import MAX_ID
from itsm.core.views.common import attempt, error_text, staff_required  # noqa: F401 (used by the views)


def visible_change(request: HttpRequest, pk: int) -> Change:
    if not 0 < pk <= MAX_ID:
        raise Http404
    queryset = Change.objects.visible_to(request.user).select_related(
        "requester", "assignee", "assignment_group", "change_manager", "template", "blackout_override_by"
    )
    return get_object_or_404(queryset, pk=pk)


def report_collisions(request: HttpRequest, change, changed: Iterable[str] | None = None) -> bool:
    """After a create or edit: check the change for collisions when the save touched its window,
    scope or assignee, and say what was found in the page's messages. True when it checked."""
    found = collisions_on_save(change, user=request.user, changed=changed)
    if found is None or not (change.planned_start and change.planned_end):
        return False
    level = messages.warning if found else messages.info
    level(request, collision_sentence(found))
    return True
