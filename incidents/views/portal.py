"""The self-service side: report an incident, follow it, reply, confirm or reopen, rate.

Everything here starts from `Incident.objects.visible_to(user)`: a requester who guesses
another person's number or id gets the same 404 as for a record that does not exist. Only
public timeline entries and public attachments are ever shown; work notes never are.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from incidents import services
from incidents.choices import ContactType
from incidents.forms import (
    URGENCY_CHOICES,
    AttachmentForm,
    PortalReplyForm,
    RatingForm,
    ReopenForm,
    ReportForm,
    VersionedForm,
)
from incidents.models import Incident, Rating
from incidents.queues import InvalidCursor, KeysetPage, paginate, sort_named
from incidents.views.common import Outcome, add_service_errors, call_service, stale_summary, visible_incident
from incidents.workflow import CLOSED, INCIDENT_WORKFLOW, RESOLVED
from itsm.cmdb.choices import OperationalStatus
from itsm.cmdb.models import Service
from itsm.core.services import activity
from itsm.sla.selectors import expectations

MY_PAGE_SIZE = 25


def _services(request: HttpRequest) -> list[Service]:
    return list(
        Service.objects.visible_to(request.user)
        .exclude(operational_status=OperationalStatus.RETIRED)
        .order_by("name")
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Report an incident: title, service, how urgent, details, files — then a confirmation."""
    services_list = _services(request)
    if request.method != "POST":
        form = ReportForm(services=services_list, initial={"service": request.GET.get("service", "")[:150]})
        return _report_page(request, form, services_list)
    form = ReportForm(request.POST, request.FILES, services=services_list)
    incident = _create(request, form) if form.is_valid() else None
    if incident is None:
        return _report_page(request, form, services_list, status=400)
    return HttpResponseRedirect(reverse("incident:reported", args=[incident.pk]))


def _report_page(
    request: HttpRequest, form: ReportForm, services_list: list, status: int = 200
) -> HttpResponse:
    """The form, beside what is already known to be broken (so nobody reports it twice)."""
    context = {"form": form, "services": services_list, "known": major_incident_banners(request.user)}
    return render(request, "incidents/portal/report.html", context, status=status)


def _create(request: HttpRequest, form: ReportForm) -> Incident | None:
    """The incident and its files in one transaction: a refused file leaves no half-made incident."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            incident = services.create_incident(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                service=data["service"],
                urgency=data["urgency"],
                contact_type=ContactType.PORTAL,
            )
            for upload in data["attachments"]:
                activity.add_attachment(incident, upload, actor=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            error = ValidationError({"attachments": error.error_dict["file"]})
        add_service_errors(form, error)
        return None
    return incident


@login_required
def reported(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation, with the number to quote."""
    incident = visible_incident(request, pk)
    return render(request, "incidents/portal/reported.html", {"incident": incident})


@login_required
def my_list(request: HttpRequest) -> HttpResponse:
    """The incidents I raised, newest first, a page at a time."""
    mine = (
        Incident.objects.visible_to(request.user)
        .filter(requester=request.user)
        .select_related("assignment_group", "service")
    )
    sort = sort_named(None, "-opened")
    status = 200
    try:
        page = paginate(
            mine, sort, after=request.GET.get("after"), before=request.GET.get("before"), size=MY_PAGE_SIZE
        )
    except InvalidCursor:
        messages.error(request, "That page link is out of date. Here is the first page.")
        page, status = KeysetPage([], None, None), 400
    return render(request, "incidents/portal/my_list.html", {"page": page}, status=status)


# --- one incident ---------------------------------------------------------------------------


@login_required
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, visible_incident(request, pk))


def _render_detail(request: HttpRequest, incident: Incident, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    version = {"expected_version": incident.version}
    resolved = incident.state == RESOLVED
    context = {
        "incident": incident,
        "state_label": INCIDENT_WORKFLOW.label_of(incident.state),
        "timeline": list(incident.timeline.filter(is_public=True).select_related("actor")),
        "attachments": list(incident.attachments.filter(is_public=True).select_related("uploaded_by")),
        "reply_form": bound.get("reply") or PortalReplyForm(),
        "attach_form": bound.get("attach") or AttachmentForm(),
        "confirm_form": bound.get("confirm") or (VersionedForm(initial=version) if resolved else None),
        "reopen_form": _reopen_form(incident, bound, version),
        "urgency_label": dict(URGENCY_CHOICES).get(str(incident.urgency), incident.get_urgency_display()),
        "is_requester": incident.requester_id == request.user.pk,
        "expect": expectations(incident),
    }
    context["rating_form"], context["rating"] = _rating(request, incident, bound)
    return render(request, "incidents/portal/detail.html", context, status=status)


def _reopen_form(incident: Incident, bound: dict, version: dict) -> ReopenForm | None:
    """Offered while the workflow allows a reopen (resolved, within the reopen window)."""
    reopen = INCIDENT_WORKFLOW.transitions["reopen"]
    allowed = incident.state in reopen.sources and not reopen.blocked_reason(incident)
    return bound.get("reopen") or (ReopenForm(initial=version) if allowed else None)


def _rating(request: HttpRequest, incident: Incident, bound: dict) -> tuple[RatingForm | None, Rating | None]:
    """The rating form, offered to the requester once per resolution, or the rating already given."""
    if incident.requester_id != request.user.pk or incident.state not in (RESOLVED, CLOSED):
        return bound.get("rate"), None
    given = (
        incident.ratings.filter(resolved_at=incident.resolved_at).first() if incident.resolved_at else None
    )
    if "rate" in bound:
        return bound["rate"], given
    return (None if given else RatingForm()), given


def _back(request: HttpRequest, incident: Incident, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("incident:portal-detail", args=[incident.pk]) + anchor)


def _refused(request: HttpRequest, pk: int, key: str, form, outcome: Outcome) -> HttpResponse:
    fresh = visible_incident(request, pk)
    if outcome.stale:
        form.add_error(None, f"Your change was not saved. {stale_summary(fresh)}")
        data = form.data.copy()
        data["expected_version"] = str(fresh.version)
        form.data = data
    return _render_detail(request, fresh, bound={key: form}, status=outcome.status)


@require_POST
@login_required
def portal_reply(request: HttpRequest, pk: int) -> HttpResponse:
    incident = visible_incident(request, pk)
    form = PortalReplyForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, incident, bound={"reply": form}, status=400)
    outcome = call_service(
        form, services.add_reply, incident, actor=request.user, body=form.cleaned_data["body"], public=True
    )
    if not outcome.ok:
        return _refused(request, pk, "reply", form, outcome)
    return _back(request, incident, "Your reply was sent to the team.", "#timeline")


@require_POST
@login_required
def portal_attach(request: HttpRequest, pk: int) -> HttpResponse:
    incident = visible_incident(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, incident, bound={"attach": form}, status=400)
    outcome = call_service(
        form, activity.add_attachment, incident, form.cleaned_data["file"], actor=request.user
    )
    if not outcome.ok:
        return _refused(request, pk, "attach", form, outcome)
    return _back(request, incident, f"{outcome.value.filename} was attached.", "#attachments")


@require_POST
@login_required
def portal_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester confirms the resolution: the incident closes."""
    incident = visible_incident(request, pk)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, incident, bound={"confirm": form}, status=400)
    version = form.cleaned_data["expected_version"]
    outcome = call_service(
        form, services.close_incident, incident, actor=request.user, expected_version=version
    )
    if not outcome.ok:
        return _refused(request, pk, "confirm", form, outcome)
    return _back(request, incident, "Thank you for confirming. The incident is closed.")


@require_POST
@login_required
def portal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Not solved after all: back to the team, with the reason on the timeline."""
    incident = visible_incident(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, incident, bound={"reopen": form}, status=400)
    outcome = call_service(
        form,
        services.reopen_incident,
        incident,
        actor=request.user,
        reason=form.cleaned_data["reason"],
        expected_version=form.cleaned_data["expected_version"],
    )
    if not outcome.ok:
        return _refused(request, pk, "reopen", form, outcome)
    return _back(request, incident, "The incident is open again. The team will get back to you.")


@require_POST
@login_required
def portal_rate(request: HttpRequest, pk: int) -> HttpResponse:
    incident = visible_incident(request, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, incident, bound={"rate": form}, status=400)
    data = form.cleaned_data
    outcome = call_service(
        form,
        services.rate_resolution,
        incident,
        actor=request.user,
        score=data["score"],
        comment=data["comment"],
    )
    if not outcome.ok:
        return _refused(request, pk, "rate", form, outcome)
    return _back(request, incident, "Thank you for rating the resolution.")


# --- portal home ----------------------------------------------------------------------------


def major_incident_banners(user) -> list[dict]:
    """One banner per service with an accepted major incident still open (for the portal home).

    It names the service and when the trouble started, never the incident itself: the
    requester reading it may not be the one who raised it.
    """
    rows = Incident.objects.major_open().select_related("service").order_by("service__name", "opened_at")
    banners: dict[int | None, dict] = {}
    for incident in rows[:20]:
        key = incident.service_id
        if key not in banners:
            service = incident.service.name if incident.service else ""
            banners[key] = {"service": service, "since": incident.opened_at}
    return list(banners.values())
