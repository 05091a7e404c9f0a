"""What every problem view shares: staff only, records found through `visible_to`, service errors shown."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from itsm.core.filtersets import MAX_ID
from itsm.core.views.common import attempt, error_text, staff_required  # noqa: F401 (used by the views)
from problems.models import Problem


def visible_problem(request: HttpRequest, pk: int) -> Problem:
    if not 0 < pk <= MAX_ID:
        raise Http404
    queryset = Problem.objects.visible_to(request.user).select_related(
        "requester", "assignee", "assignment_group", "service", "configuration_item"
    )
    return get_object_or_404(queryset, pk=pk)
