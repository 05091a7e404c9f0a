"""Save the list page you are on as a named view, or remove one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from itsm.core.services.saved_views import delete_view, save_view


@require_POST
@login_required
def save(request: HttpRequest) -> HttpResponseRedirect:
    path = request.POST.get("path", "/")
    try:
        view = save_view(
            request.user, name=request.POST.get("name", ""), path=path, query=request.POST.get("query", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(_back(request, path))
    messages.success(request, f"Saved “{view.name}”.")
    return HttpResponseRedirect(view.url)


@require_POST
@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    if delete_view(request.user, pk):
        messages.success(request, "The saved view was removed.")
    return HttpResponseRedirect(_back(request, request.POST.get("next", "/")))


def _back(request: HttpRequest, target: str) -> str:
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if safe and target.startswith("/") else "/"
