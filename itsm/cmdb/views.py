"""CMDB pages for staff: browse services and CIs, their relationships and their impact.

Read-only by design: the CMDB is changed through the API, the Django admin and the CSV
import, which all go through `itsm.cmdb.services`. Lists fetch a page in a fixed number of
queries whatever its length; detail pages cap the long lists (a core switch has thousands
of incoming relationships) and say how many were left out.
"""

import json
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from itsm.cmdb.filtersets import ConfigurationItemFilterSet, ServiceFilterSet
from itsm.cmdb.graph import neighbourhood_svg
from itsm.cmdb.impact import impact_of
from itsm.cmdb.models import ConfigurationItem, Service
from itsm.cmdb.panels import ci_panels
from itsm.core import roles

PAGE_SIZE = 50
#: Relationships listed per direction on a CI page (the rest are counted).
RELATIONSHIPS_SHOWN = 100
#: Affected CIs listed on a CI page (the rest are counted).
AFFECTED_CIS_SHOWN = 50


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in agents and above; anonymous users go to the login page, others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not roles.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def service_list(request: HttpRequest) -> HttpResponse:
    """Services with their status and how many CIs deliver each."""
    queryset = (
        Service.objects.visible_to(request.user)
        .select_related("owner_team")
        .annotate(component_count=Count("components", distinct=True))
        .order_by("name")
    )
    filterset = ServiceFilterSet(request.GET, queryset=queryset)
    context = {"filterset": filterset, "page": _page(request, filterset)}
    template = "cmdb/_service_results.html" if request.htmx else "cmdb/service_list.html"
    return render(request, template, context)


@staff_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A service with the CIs that deliver it and the services on either side of it."""
    service = get_object_or_404(Service.objects.visible_to(request.user).select_related("owner_team"), pk=pk)
    context = {
        "service": service,
        "components": service.components.select_related("owner_team").order_by("name"),
        "depends_on": service.depends_on.select_related("owner_team").order_by("name"),
        "dependants": service.dependants.select_related("owner_team").order_by("name"),
    }
    return render(request, "cmdb/service_detail.html", context)


@staff_required
def ci_list(request: HttpRequest) -> HttpResponse:
    """Configuration items, filtered by text, class, status, environment, owner team or service."""
    queryset = (
        ConfigurationItem.objects.visible_to(request.user).select_related("owner_team").order_by("name")
    )
    filterset = ConfigurationItemFilterSet(request.GET, queryset=queryset)
    context = {"filterset": filterset, "page": _page(request, filterset)}
    template = "cmdb/_ci_results.html" if request.htmx else "cmdb/ci_list.html"
    return render(request, template, context)


@staff_required
def ci_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A CI: its attributes, relationships both ways, services, impact, and the picture."""
    ci = get_object_or_404(
        ConfigurationItem.objects.visible_to(request.user).select_related("owner_team"), pk=pk
    )
    outgoing = list(
        ci.relationships_out.select_related("target").order_by("target__name")[:RELATIONSHIPS_SHOWN]
    )
    incoming = list(
        ci.relationships_in.select_related("source").order_by("source__name")[:RELATIONSHIPS_SHOWN]
    )
    outgoing_total = _total(outgoing, ci.relationships_out.all())
    incoming_total = _total(incoming, ci.relationships_in.all())
    context = {
        "ci": ci,
        "attributes": _attribute_rows(ci.attributes),
        "outgoing": outgoing,
        "incoming": incoming,
        "outgoing_total": outgoing_total,
        "incoming_total": incoming_total,
        "services": ci.services.select_related("owner_team").order_by("name"),
        "impact": impact_of(ci, ci_limit=AFFECTED_CIS_SHOWN),
        "graph": neighbourhood_svg(
            ci, outgoing, incoming, outgoing_total=outgoing_total, incoming_total=incoming_total
        ),
        "panels": ci_panels(ci.pk, request.user),
    }
    return render(request, "cmdb/ci_detail.html", context)


def _page(request: HttpRequest, filterset) -> Page:
    """The requested page of the filtered list; an invalid filter shows its error and no rows."""
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _total(shown: list, queryset: QuerySet) -> int:
    """How many rows there are, counting only when the list was cut short."""
    return len(shown) if len(shown) < RELATIONSHIPS_SHOWN else queryset.count()


def _attribute_rows(attributes) -> list[tuple[str, str]]:
    """(name, value) pairs, sorted; nested values shown as compact JSON text."""
    if not isinstance(attributes, dict):
        return [("value", str(attributes))] if attributes not in (None, "") else []
    return [(str(key), _attribute_text(value)) for key, value in sorted(attributes.items())]


def _attribute_text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)
