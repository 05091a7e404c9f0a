"""Pages of the continual-improvement register: the list by status, a new initiative (from a
dashboard figure or a change's review), the initiative page with its before/after chart, and
the weekly summary opt-in. Staff read and propose; services decide who may move what."""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from improvements import services
from improvements.choices import Status
from improvements.forms import EditForm, InitiativeForm, LinkForm, MoveForm
from improvements.measure import compare
from improvements.models import Initiative, SummarySubscription
from improvements.workflow import INITIATIVE_WORKFLOW
from itsm.core import roles
from itsm.core.views.common import attempt, error_text, staff_required
from itsm.dashboards import registry

#: Initiatives shown per status on the register page (the oldest beyond this are behind "all").
PER_STATUS = 50


@staff_required
def initiative_list(request: HttpRequest) -> HttpResponse:
    """The register, one column per status; `?status=` shows one status in full."""
    initiatives = Initiative.objects.visible_to(request.user)
    counts = dict(initiatives.values_list("status").annotate(n=Count("pk")).order_by())
    chosen = request.GET.get("status", "")
    if chosen and chosen not in Status.values:
        return render(request, "improvements/list.html", {"error": "Unknown status."}, status=400)
    rows = initiatives.select_related("owner").order_by("-created_at", "-pk")
    if chosen:
        groups = [
            (
                Status(chosen),
                list(rows.filter(status=chosen)[:500]),
                counts.get(chosen, 0),
                Status.colour(chosen),
            )
        ]
    else:
        recent = list(rows[: PER_STATUS * len(Status)])
        groups = [
            (
                status,
                [i for i in recent if i.status == status][:PER_STATUS],
                counts.get(status, 0),
                Status.colour(status),
            )
            for status in Status
        ]
    return render(
        request,
        "improvements/list.html",
        {"groups": groups, "chosen": chosen, "statuses": Status, "subscribed": _subscribed(request)},
    )


def _subscribed(request: HttpRequest) -> bool | None:
    if not roles.sees_everything(request.user):
        return None
    return SummarySubscription.objects.filter(user=request.user).exists()


def _filters_of(source_url: str) -> dict:
    query = parse_qs(urlsplit(source_url).query)
    return {key: query[key][0] for key in services.FILTER_KEYS if query.get(key)}


def _initial(request: HttpRequest) -> dict:
    """What a 'Start an improvement' link carries: the figure and its value, or a change or problem."""
    initial: dict = {}
    metric = request.GET.get("metric", "")[:80]
    label = registry.metric_label(metric) if metric else None
    if label:
        initial["metric"] = metric
        value = request.GET.get("value", "")
        try:
            initial["baseline_value"] = float(value)
        except ValueError:
            value = "—"
        source = request.GET.get("source", "")
        if source.startswith("/dashboards/"):
            initial["source_url"] = source[:500]
        initial["motivation"] = f"{label} was {value} on the dashboard."
    change = request.GET.get("change", "")[:20]
    problem = request.GET.get("problem", "")[:20]
    if change:
        initial["links"] = change
        initial["motivation"] = f"Finding of the post-implementation review of {change}."
    elif problem:
        initial["links"] = problem
        initial["motivation"] = f"Problem {problem} shows something to improve."
    return initial


@staff_required
def create(request: HttpRequest) -> HttpResponse:
    initial = _initial(request)
    form = InitiativeForm(request.POST or None, initial={"owner": request.user.pk, **initial})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                initiative = services.create_initiative(
                    actor=request.user,
                    title=data["title"],
                    motivation=data["motivation"],
                    expected_benefit=data["expected_benefit"],
                    owner=data["owner"],
                    metric=data["metric"],
                    baseline_value=data["baseline_value"],
                    metric_filters=_filters_of(data["source_url"]),
                    source_url=data["source_url"],
                    links=data["links"],
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, f"{initiative.number} is in the register.")
                return redirect(initiative)
        status = 400
    metric = form["metric"].value()
    return render(
        request,
        "improvements/form.html",
        {
            "form": form,
            "metric_label": registry.metric_label(metric) if metric else None,
            "baseline": form["baseline_value"].value(),
            "source_url": form["source_url"].value(),
        },
        status=status,
    )


def _detail_context(request: HttpRequest, initiative: Initiative) -> dict:
    may_edit = services.may_edit(request.user, initiative)
    manager = roles.sees_everything(request.user)
    moves = [
        move
        for move in INITIATIVE_WORKFLOW.available(initiative)
        if (manager if move.name in {"approve", "abandon"} else may_edit)
    ]
    return {
        "initiative": initiative,
        "status_label": INITIATIVE_WORKFLOW.label_of(initiative.status),
        "colour": Status.colour(initiative.status),
        "metric_label": registry.metric_label(initiative.metric) if initiative.metric else None,
        "comparison": compare(initiative, request.user),
        "links": initiative.links.select_related("task").order_by("created_at", "pk"),
        "events": initiative.events.select_related("actor")[:100],
        "moves": moves,
        "may_edit": may_edit,
        "move_form": MoveForm(initial={"version": initiative.version}),
        "edit_form": EditForm(
            initial={
                "title": initiative.title,
                "motivation": initiative.motivation,
                "expected_benefit": initiative.expected_benefit,
                "owner": initiative.owner_id,
                "version": initiative.version,
            }
        )
        if may_edit
        else None,
        "link_form": LinkForm(),
    }


def _initiative(request: HttpRequest, pk: int) -> Initiative:
    return get_object_or_404(
        Initiative.objects.visible_to(request.user).select_related("owner", "created_by"), pk=pk
    )


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    return render(request, "improvements/detail.html", _detail_context(request, initiative))


def _back(request: HttpRequest, initiative: Initiative, ok: bool, status: int) -> HttpResponse:
    if ok:
        return redirect(initiative)
    initiative.refresh_from_db()
    return render(request, "improvements/detail.html", _detail_context(request, initiative), status=status)


@staff_required
@require_POST
def move(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    initiative = _initiative(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Check the form: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
        return _back(request, initiative, False, 400)
    data = form.cleaned_data
    ok, status = attempt(
        request,
        lambda: services.move_initiative(
            initiative,
            name,
            actor=request.user,
            note=data["note"],
            measured_outcome=data["measured_outcome"] or None,
            outcome_value=data["outcome_value"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        "Initiative updated.",
    )
    return _back(request, initiative, ok, status)


@staff_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    form = EditForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Check the form: " + " ".join(e for errs in form.errors.values() for e in errs)
        )
        return _back(request, initiative, False, 400)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    ok, status = attempt(
        request,
        lambda: services.update_initiative(
            initiative, actor=request.user, changes=data, expected_version=version
        ),
        "Initiative saved.",
    )
    return _back(request, initiative, ok, status)


@staff_required
@require_POST
def link(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a problem or change number.")
        return _back(request, initiative, False, 400)
    ok, status = attempt(
        request,
        lambda: services.link_record(initiative, actor=request.user, number=form.cleaned_data["number"]),
        "Record linked.",
    )
    return _back(request, initiative, ok, status)


@staff_required
@require_POST
def unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    initiative = _initiative(request, pk)
    ok, status = attempt(
        request,
        lambda: services.unlink_record(initiative, actor=request.user, link_id=link_pk),
        "Link removed.",
    )
    return _back(request, initiative, ok, status)


@login_required
@require_POST
def summary_subscription(request: HttpRequest) -> HttpResponse:
    """Opt in to or out of the weekly e-mail summary (managers and administrators)."""
    if not roles.sees_everything(request.user):
        raise PermissionDenied
    subscribed = request.POST.get("subscribed") == "1"
    services.set_summary_subscription(request.user, actor=request.user, subscribed=subscribed)
    messages.success(
        request,
        "You will receive the dashboard summary every Monday."
        if subscribed
        else "Weekly summary e-mails stopped.",
    )
    return redirect("improvements:list")
