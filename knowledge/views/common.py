"""What every knowledge view shares: articles found through `visible_to`, service errors shown."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from itsm.core.exceptions import DomainError
from itsm.core.filtersets import MAX_ID
from itsm.core.views.common import error_text, staff_required  # noqa: F401 (used by the views)
from knowledge.forms import SearchForm
from knowledge.models import Article
from knowledge.services import Filters


def visible_article(request: HttpRequest, pk: int, *, published_only: bool = False) -> Article:
    if not 0 < pk <= MAX_ID:
        raise Http404
    queryset = Article.objects.visible_to(request.user).select_related("base", "category", "owner")
    if published_only:
        queryset = queryset.published()
    return get_object_or_404(queryset, pk=pk)


def attempt(request: HttpRequest, call: Callable[[], object], success: str = "") -> object | None:
    """Run a service call; put its outcome in the messages. Returns the result, or None on failure."""
    try:
        result = call()
    except (ValidationError, DomainError) as error:
        messages.error(request, error_text(error))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def search_from(request: HttpRequest) -> tuple[SearchForm, str, Filters]:
    """The search form bound to the query string, its query text and filters (bad values ignored)."""
    form = SearchForm(request.GET or None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            base=data["base"].pk if data["base"] else None,
            category=data["category"].pk if data["category"] else None,
            service=data["service"].pk if data["service"] else None,
            language=data["language"] or None,
        )
        return form, data["q"], filters
    return form, "", Filters()


def expected(request: HttpRequest) -> int | None:
    value = request.POST.get("expected_version", "")
    return int(value) if value.isdigit() else None
