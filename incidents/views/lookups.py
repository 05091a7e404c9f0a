"""Small fragments the record page and the queue fetch on their own: presence, impact, CI names."""

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from incidents import presence as presence_store
from incidents.forms import find_caller
from incidents.views.common import staff_required, visible_incident
from incidents.views.desk import caller_context
from itsm.cmdb.impact import affected_services
from itsm.cmdb.models import ConfigurationItem

#: Suggestions in the configuration-item and caller pickers.
CI_SUGGESTIONS = 20
CALLER_SUGGESTIONS = 20


@require_POST
@staff_required
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that I have this incident open (or, with `leave`, that I closed it); list the others."""
    incident = visible_incident(request, pk)
    if request.POST.get("leave"):
        presence_store.leave(incident.pk, request.user)
        return HttpResponse(status=204)
    others = presence_store.touch(incident.pk, request.user, editing=request.POST.get("editing") == "1")
    return render(request, "incidents/_presence.html", {"others": others})


@require_GET
@staff_required
def impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The services the incident's configuration item takes down, nearest first (a graph walk)."""
    incident = visible_incident(request, pk)
    if incident.configuration_item_id is None:
        raise Http404
    services = affected_services(incident.configuration_item_id)
    template = "incidents/_impact.html" if request.htmx else "incidents/impact.html"
    return render(request, template, {"incident": incident, "affected": services})


@require_GET
@staff_required
def ci_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the configuration-item picker, matching what has been typed so far."""
    typed = (request.GET.get("configuration_item") or request.GET.get("ci") or "").strip()[:100]
    items = ConfigurationItem.objects.visible_to(request.user).order_by("name")
    if typed:
        items = items.filter(name__icontains=typed)
    return render(request, "incidents/_ci_options.html", {"items": items[:CI_SUGGESTIONS]})


@require_GET
@staff_required
def caller_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the caller picker: active people whose name, user name or e-mail matches."""
    typed = request.GET.get("caller", "").strip()[:100]
    people = User.objects.filter(is_active=True).select_related("profile").order_by("first_name", "last_name")
    if typed:
        people = people.filter(
            Q(username__icontains=typed)
            | Q(first_name__icontains=typed)
            | Q(last_name__icontains=typed)
            | Q(email__icontains=typed)
        )
    return render(request, "incidents/_caller_options.html", {"people": people[:CALLER_SUGGESTIONS]})


@require_GET
@staff_required
def caller_card(request: HttpRequest) -> HttpResponse:
    """Who the typed caller is (VIP, organisation, contact details) and their open incidents."""
    caller = find_caller(request.GET.get("caller", "")[:254])
    return render(request, "incidents/_caller.html", caller_context(request, caller))
