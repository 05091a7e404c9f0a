"""The self-service portal: what end users see first."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.models import Service
from itsm.core.choices import StateCategory, TaskKind
from itsm.core.models import Task
from itsm.portal import banners
from itsm.portal import search as portal_search

OPEN_LIMIT = 20
RECENT_LIMIT = 10
SERVICE_LIMIT = 30
#: What the portal lists as "my records": what people raise themselves. Their requests' items and
#: fulfilment tasks, and the approvals asked about them, carry the same requester but are shown
#: on the request page, not as records of their own.
MY_KINDS = (TaskKind.INCIDENT, TaskKind.REQUEST)


@dataclass(frozen=True)
class Action:
    """A call to action on the portal home, shown once the practice that serves it is installed."""

    url_name: str
    title: str
    text: str


#: The portal's front doors. Each practice registers the URL name when it ships its page; until
#: then the card is simply not shown, so the portal never links to a page that does not exist.
ACTIONS = (
    Action("incident:report", "Report a problem", "Something is broken or not working as it should."),
    Action("catalog:home", "Request something", "Software, access, equipment: browse the service catalog."),
    Action("knowledge:search", "Find an answer", "Search how-to guides and known fixes."),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My open and recent records, the status of the services I use, and where to go for help."""
    mine = (
        Task.objects.visible_to(request.user)
        .filter(requester=request.user, kind__in=MY_KINDS)
        .with_list_relations()
    )
    services = list(
        Service.objects.visible_to(request.user)
        .exclude(operational_status=OperationalStatus.RETIRED)
        .order_by("criticality", "name")[:SERVICE_LIMIT]
    )
    return render(
        request,
        "portal/home.html",
        {
            "open_records": mine.active().order_by("-opened_at")[:OPEN_LIMIT],
            "recent_records": mine.exclude(state_category__in=StateCategory.active()).order_by("-updated_at")[
                :RECENT_LIMIT
            ],
            "services": services,
            "services_disrupted": [
                s for s in services if s.operational_status != OperationalStatus.OPERATIONAL
            ],
            "actions": available_actions(),
            "banners": banners.banners_for(request.user),
            "search_available": portal_search.available(),
        },
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The home page's search: a section per practice (answers, things to request)."""
    query = request.GET.get("q", "").strip()[: portal_search.MAX_QUERY]
    sections = portal_search.search_all(request.user, query)
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "sections": sections,
            "found": any(section.results for section in sections),
            "actions": available_actions(),
        },
    )


def available_actions() -> list[dict]:
    """The ACTIONS whose pages exist, with their URLs."""
    found = []
    for action in ACTIONS:
        try:
            found.append({"url": reverse(action.url_name), "title": action.title, "text": action.text})
        except NoReverseMatch:
            continue
    return found
