"""The self-service side of the catalog: browse and search, order (with a cart), follow requests.

Everything starts from `CatalogItem.objects.visible_to(user)` and `Request.objects.visible_to`:
an item someone may not order, or another person's request, is a 404 like a missing one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import services
from catalog.choices import VariableType
from catalog.forms_engine import LOOKUP_TYPES, readable_answers
from catalog.lookups import LookupScope, scope_for
from catalog.models import CatalogItem, Category, Request
from catalog.services.approvals import approvals_of
from catalog.services.submission import MAX_LINES
from catalog.views.common import field_errors, person_named, visible_item, visible_request
from catalog.views.lookups import SEARCH_PREFIX, chosen_option
from catalog.workflow import ITEM_WORKFLOW, REQUEST_WORKFLOW
from itsm.core import markdown, roles
from itsm.core.exceptions import DomainError
from itsm.core.models import TimelineEntry

CART_KEY = "catalog_cart"
#: Errors about the whole line rather than one field of the form.
GENERAL_KEYS = ("item", "items", "non_field_errors", "form")
POPULAR = 8
SEARCH_LIMIT = 30
MY_LIMIT = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One search box, popular items, categories, and my open requests."""
    items = CatalogItem.objects.visible_to(request.user).filter(is_active=True)
    query = request.GET.get("q", "").strip()[:100]
    context = {
        "query": query,
        "categories": Category.objects.active().filter(parent__isnull=True),
        "open_requests": Request.objects.visible_to(request.user)
        .filter(requester=request.user)
        .active()
        .order_by("-opened_at")[:10],
        "cart_size": len(request.session.get(CART_KEY, [])),
    }
    if query:
        context["results"] = items.filter(
            Q(name__icontains=query)
            | Q(short_description__icontains=query)
            | Q(category__name__icontains=query)
        ).select_related("category")[:SEARCH_LIMIT]
    else:
        context["popular"] = items.order_by("-order_count", "id").select_related("category")[:POPULAR]
    return render(request, "catalog/home.html", context)


@login_required
def category(request: HttpRequest, slug: str) -> HttpResponse:
    shelf = get_object_or_404(Category.objects.active().select_related("parent"), slug=slug)
    items = (
        CatalogItem.objects.visible_to(request.user)
        .filter(is_active=True)
        .filter(Q(category=shelf) | Q(category__parent=shelf))
        .select_related("category")
    )
    children = Category.objects.active().filter(parent=shelf)
    return render(request, "catalog/category.html", {"category": shelf, "items": items, "children": children})


@login_required
def item(request: HttpRequest, slug: str) -> HttpResponse:
    """The item and its form; POST orders it now or puts it in the cart."""
    entry = visible_item(request, slug)
    if request.method != "POST":
        return _item_page(request, entry, {}, {})
    # `visible_item` loaded the entry through `visible_to`; orderable when it is also active.
    line = services.OrderLine(
        entry, request.POST, _quantity(request), request.FILES, orderable=entry.is_active
    )
    requested_for = person_named(request.POST.get("requested_for")) or request.user
    if request.POST.get("requested_for", "").strip() and requested_for == request.user:
        return _item_page(
            request, entry, request.POST, {"requested_for": "There is no active person with this user name."}
        )
    if request.POST.get("action") == "cart":
        return _add_to_cart(request, entry, line, requested_for)
    try:
        placed = services.submit_request(actor=request.user, lines=[line], requested_for=requested_for)
    except ValidationError as error:
        return _item_page(request, entry, request.POST, field_errors(error, "items.0."), status=400)
    messages.success(request, f"Thank you: your request {placed.number} was submitted.")
    return HttpResponseRedirect(placed.get_absolute_url())


def _quantity(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("quantity", "1"))
    except ValueError:
        return 0


def _add_to_cart(request: HttpRequest, entry: CatalogItem, line, requested_for) -> HttpResponse:
    if any(v["type"] == VariableType.ATTACHMENT for v in entry.current_version.variables):
        return _item_page(
            request,
            entry,
            request.POST,
            {"form": "Items with files are ordered on their own: use “Order now”."},
            status=400,
        )
    try:
        services.validate_line(line, actor=request.user, requested_for=requested_for)
    except ValidationError as error:
        return _item_page(request, entry, request.POST, field_errors(error), status=400)
    values = {
        key: request.POST.getlist(key)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "action", "quantity", "requested_for")
        and not key.startswith(SEARCH_PREFIX)
    }
    cart = request.session.get(CART_KEY, [])
    cart.append({"item": entry.pk, "quantity": line.quantity, "values": values})
    request.session[CART_KEY] = cart[-MAX_LINES:]
    messages.success(request, f"{entry.name} is in your cart.")
    return HttpResponseRedirect(reverse("catalog:cart"))


def _item_page(
    request: HttpRequest, entry: CatalogItem, data, errors: dict, status: int = 200
) -> HttpResponse:
    version = entry.current_version or services.publish_item(entry, actor=None)
    scope = scope_for(request.user, version.snapshot)
    fields = [_field(definition, data, errors, scope) for definition in version.variables]
    context = {
        "item": entry,
        "version": version,
        "description": markdown.render(entry.description),
        "fields": fields,
        "errors": errors,
        "general_errors": [m for k, m in errors.items() if k in GENERAL_KEYS],
        "data": data,
        "quantity": data.get("quantity", 1) if data else 1,
        "has_files": any(f["type"] == VariableType.ATTACHMENT for f in fields),
        "orderable": entry.is_active,
    }
    return render(request, "catalog/item.html", context, status=status)


def _field(definition: dict, data, errors: dict, scope: LookupScope) -> dict:
    """The definition plus what the form shows now (posted value, else default); a person or
    CI variable also carries its chosen option (one query, only when something was chosen)."""
    name = definition["name"]
    if data:
        current = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
    else:
        current = [definition["default"]] if definition["default"] else []
    value = (current or [""])[0] if isinstance(current, list) else current
    field = {**definition, "current": current or [], "value": value, "error": errors.get(name)}
    if definition["type"] in LOOKUP_TYPES:
        field["selected"] = chosen_option(definition, scope, value) if value else None
        field["options"] = []
    return field


@login_required
def cart(request: HttpRequest) -> HttpResponse:
    """The cart: lines kept in the session until submitted as one request."""
    lines = request.session.get(CART_KEY, [])
    items = (
        CatalogItem.objects.visible_to(request.user)
        .select_related("current_version")
        .in_bulk([line["item"] for line in lines])
    )
    rows = [
        {"index": i, "item": items.get(line["item"]), "quantity": line["quantity"]}
        for i, line in enumerate(lines)
    ]
    if request.method != "POST":
        return render(request, "catalog/cart.html", {"rows": rows})
    order = [_cart_line(items[line["item"]], line) for line in lines if line["item"] in items]
    requested_for = person_named(request.POST.get("requested_for")) or request.user
    try:
        placed = services.submit_request(
            actor=request.user, lines=order, requested_for=requested_for, notes=request.POST.get("notes", "")
        )
    except ValidationError as error:
        return render(
            request,
            "catalog/cart.html",
            {"rows": rows, "errors": list(field_errors(error).values())},
            status=400,
        )
    request.session[CART_KEY] = []
    messages.success(request, f"Thank you: your request {placed.number} was submitted.")
    return HttpResponseRedirect(placed.get_absolute_url())


def _cart_line(entry: CatalogItem, line: dict) -> services.OrderLine:
    """A stored cart line as an order line (the entry came from `visible_to`)."""
    return services.OrderLine(entry, _as_post(line["values"]), line["quantity"], orderable=entry.is_active)


def _as_post(values: dict) -> QueryDict:
    """A cart line's stored answers, shaped like the form post they came from."""
    data = QueryDict(mutable=True)
    for key, listed in values.items():
        data.setlist(key, listed)
    return data


@login_required
@require_POST
def cart_remove(request: HttpRequest, index: int) -> HttpResponse:
    lines = request.session.get(CART_KEY, [])
    if 0 <= index < len(lines):
        lines.pop(index)
        request.session[CART_KEY] = lines
    return HttpResponseRedirect(reverse("catalog:cart"))


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    mine = (
        Request.objects.visible_to(request.user)
        .filter(requester=request.user)
        .order_by("-opened_at")[:MY_LIMIT]
    )
    return render(request, "catalog/my_requests.html", {"requests": mine})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, each item with its answers, approvals and tasks, the timeline, replies, cancel."""
    record = visible_request(request, pk)
    staff = roles.is_staff_member(request.user)
    items = list(
        record.items.select_related("item_version", "assignment_group").prefetch_related(
            "tasks__assignment_group", "tasks__assignee"
        )
    )
    approvals = approvals_of([i.pk for i in items])
    for entry in items:
        entry.answers = readable_answers(entry.item_version.variables, entry.values)
        entry.approval_rows = approvals.get(entry.pk, [])
        entry.state_label = ITEM_WORKFLOW.label_of(entry.state)
    timeline = TimelineEntry.objects.filter(task__in=[record.pk, *[i.pk for i in items]]).select_related(
        "actor", "task"
    )
    if not staff:
        timeline = timeline.filter(is_public=True)
    # An approver who is neither the requester nor staff reads the request (to decide) but
    # does not take part in it: no replies, no cancellation.
    participant = staff or Request.objects.participated_by(request.user).filter(pk=record.pk).exists()
    context = {
        "record": record,
        "items": items,
        "timeline": timeline.order_by("created_at", "id")[:200],
        "state_label": REQUEST_WORKFLOW.label_of(record.state),
        "may_cancel": participant and services.may_cancel(record, request.user),
        "may_reply": participant,
        "staff": staff,
    }
    return render(request, "catalog/request.html", context)


@login_required
@require_POST
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    record = visible_request(request, pk)
    public = request.POST.get("public", "1") == "1"
    try:
        services.add_request_reply(
            record, actor=request.user, body=request.POST.get("body", ""), public=public
        )
    except ValidationError as error:
        messages.error(request, " ".join(field_errors(error).values()))
    except DomainError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(record.get_absolute_url() + "#timeline")


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    record = visible_request(request, pk)
    try:
        services.cancel_request(record, actor=request.user, reason=request.POST.get("reason", "")[:2000])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{record.number} was cancelled.")
    return HttpResponseRedirect(record.get_absolute_url())


@login_required
def request_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A requested item is shown on its request's page."""
    from catalog.models import RequestItem

    entry = get_object_or_404(
        RequestItem.objects.visible_to(request.user).only("pk", "parent_request_id"), pk=pk
    )
    return HttpResponseRedirect(
        reverse("request:detail", args=[entry.parent_request_id]) + f"#item-{entry.pk}"
    )
