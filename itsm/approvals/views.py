"""Approval pages: "My approvals" (workspace and portal), the record page, the e-mailed link.

Records are found through `Approval.objects.visible_to`, so an approval someone may not see
answers 404 like one that does not exist. Every decision goes through `services.decide`.
The e-mailed link never decides on GET (mail scanners open links): it shows a confirmation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from itsm.approvals import registry, services
from itsm.approvals.forms import DecisionForm
from itsm.approvals.models import Approval, ApprovalStage
from itsm.approvals.tokens import LinkRefused, nonce_matches, read_token
from itsm.core import roles
from itsm.core.exceptions import DomainError
from itsm.core.filtersets import MAX_ID

#: Requested approvals per page of "My approvals"; recent decisions shown below them.
PAGE_SIZE = 25
RECENT_SIZE = 10
#: What a list row and the record page show about an approval, fetched with it.
RELATED = ("approver", "stage__plan__subject__requester")


# --- My approvals -------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The workspace's "My approvals"; end users get the same list in the portal."""
    return _my_approvals(request, surface="workspace" if roles.is_staff_member(request.user) else "portal")


@login_required
def portal_queue(request: HttpRequest) -> HttpResponse:
    return _my_approvals(request, surface="portal")


def _my_approvals(request: HttpRequest, *, surface: str) -> HttpResponse:
    """Waiting for me first (oldest first, keyset pages by id), then my latest decisions."""
    after = _cursor(request.GET.get("after"))
    if after is None:
        return render(
            request,
            "error.html",
            {"title": "Bad page link", "message": "This page link is damaged. Start again.", "status": 400},
            status=400,
        )
    mine = Approval.objects.for_approver(request.user).select_related(*RELATED)
    rows = list(mine.requested().filter(pk__gt=after).order_by("pk")[: PAGE_SIZE + 1])
    context = {
        "surface": surface,
        "pending": rows[:PAGE_SIZE],
        "next_after": rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None,
        "first_page": after == 0,
        "recent": list(mine.decided().order_by("-closed_at", "-pk")[:RECENT_SIZE]) if after == 0 else [],
        "form": DecisionForm(),
    }
    return render(request, "approvals/queue.html", context)


def _cursor(raw: str | None) -> int | None:
    """The keyset cursor: 0 for the first page, None when the value is not a valid id."""
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 0 < value <= MAX_ID else None


# --- the record page ----------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_record(request, _visible(request, pk), DecisionForm())


def _visible(request: HttpRequest, pk: int) -> Approval:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(Approval.objects.visible_to(request.user).select_related(*RELATED), pk=pk)


def render_record(
    request: HttpRequest, approval: Approval, form: DecisionForm, status: int = 200
) -> HttpResponse:
    """The approval with its subject, every stage and every approver's decision."""
    plan = approval.stage.plan
    subject = plan.subject
    staff = roles.is_staff_member(request.user)
    stages = list(
        ApprovalStage.objects.filter(plan=plan)
        .prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("approver").order_by("pk")),
            "approvers",
        )
        .order_by("position")
    )
    for stage in stages:
        stage.rule_label = stage.rule_text(len(stage.approvers.all()))
    timeline = approval.timeline.select_related("actor")
    context = {
        "approval": approval,
        "plan": plan,
        "subject": subject,
        "stages": stages,
        "summary": registry.subject_summary(subject),
        "timeline": timeline if staff else timeline.filter(is_public=True),
        "can_decide": approval.is_requested and approval.approver_id == request.user.pk,
        "form": form,
        "surface": "workspace" if staff else "portal",
    }
    return render(request, "approvals/detail.html", context, status=status)


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject from the record page or a list; errors come back on the record page."""
    approval = _visible(request, pk)
    form = DecisionForm(request.POST)
    status = _decide_with(form, approval, request)
    if status != 200:
        return render_record(request, approval, form, status=status)
    return HttpResponseRedirect(_safe_next(request, approval.get_absolute_url()))


def _decide_with(form: DecisionForm, approval: Approval, request: HttpRequest) -> int:
    """Run `services.decide` for a valid form; 200, or the status of what went wrong (on the form)."""
    if not form.is_valid():
        return 400
    try:
        services.decide(
            approval, actor=request.user, approve=form.approve, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        for field, errors in getattr(error, "error_dict", {None: error.error_list}).items():
            form.add_error(field if field in form.fields else None, errors)
        return 400
    except DomainError as error:
        form.add_error(None, error.message)
        return error.http_status
    verb = "approved" if form.approve else "rejected"
    messages.success(request, f"You {verb} {approval.stage.plan.subject.number}.")
    return 200


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# --- the e-mailed link --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def decide_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: confirm who decides what. POST: decide. A bad link answers a 4xx page, never decides."""
    try:
        approval = _approval_for_link(request, token)
    except LinkRefused as refused:
        status = refused.http_status
        context = {"title": "This link cannot be used", "message": refused.message, "status": status}
        return render(request, "error.html", context, status=refused.http_status)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = _decide_with(form, approval, request)
        if status == 200:
            return HttpResponseRedirect(approval.get_absolute_url())
    context = {"approval": approval, "subject": approval.stage.plan.subject, "form": form, "token": token}
    context["summary"] = registry.subject_summary(context["subject"])
    return render(request, "approvals/confirm.html", context, status=status)


def _approval_for_link(request: HttpRequest, token: str) -> Approval:
    """The approval the link names, if it is still open and was sent to the signed-in user."""
    approval_id, nonce = read_token(token)
    approval = Approval.objects.select_related(*RELATED).filter(pk=approval_id).first()
    if approval is None or approval.approver_id != request.user.pk:
        raise LinkRefused(
            "This approval link was sent to someone else. Sign in as the person it was sent to.",
            http_status=403,
        )
    if not approval.is_requested or not nonce_matches(approval, nonce):
        raise LinkRefused(
            f"This link was already used: {approval.number} is "
            f"{approval.decision_label.lower()}. See it in your approvals.",
            http_status=410,
        )
    return approval
