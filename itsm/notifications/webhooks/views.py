"""Webhook pages: the list, a subscription with its delivery log, one delivery with its attempts.

Admins see and manage every subscription; integrators with the webhooks permission their own;
anyone else gets 403. Every change is a POST that calls `webhooks.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from itsm.core.views.common import error_text
from itsm.notifications.choices import DeliveryStatus
from itsm.notifications.models import OutboxMessage, WebhookSubscription
from itsm.notifications.webhooks import services
from itsm.notifications.webhooks.access import may_use_webhooks
from itsm.notifications.webhooks.events import EVENT_TYPES
from itsm.notifications.webhooks.forms import WebhookForm

DELIVERIES_PER_PAGE = 25


def webhooks_required(view):
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_use_webhooks(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _subscription(request: HttpRequest, pk: int) -> WebhookSubscription:
    return get_object_or_404(
        WebhookSubscription.objects.visible_to(request.user).select_related("owner"), pk=pk
    )


@webhooks_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    """Every subscription the user may manage, with its health."""
    subscriptions = (
        WebhookSubscription.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(
            failing=Count(
                "deliveries", filter=Q(deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD])
            )
        )
    )
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


@webhooks_required
def webhook_new(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription = services.create_subscription(
                actor=request.user,
                name=data["name"],
                url=data["url"],
                event_types=data["event_types"],
                services=data["services"],
                assignment_groups=data["assignment_groups"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, "Webhook created. Copy its secret to your receiver to verify signatures."
            )
            return redirect(subscription)
    status = 400 if request.method == "POST" else 200
    return render(request, "webhooks/form.html", {"form": form}, status=status)


@webhooks_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The subscription's settings, secret, and its delivery log (newest first, paginated)."""
    subscription = _subscription(request, pk)
    initial = {
        "name": subscription.name,
        "url": subscription.url,
        "event_types": subscription.event_types,
        "services": subscription.services.all(),
        "assignment_groups": subscription.assignment_groups.all(),
        "is_active": subscription.is_active,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_subscription(subscription, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Webhook saved.")
                return redirect(subscription)
        status = 400
    deliveries = subscription.deliveries.only(
        "pk",
        "subject",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
        "message_id",
        "subscription_id",
    ).order_by("-created_at", "-id")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"subscription": subscription, "form": form, "page": page, "event_labels": EVENT_TYPES}
    return render(request, "webhooks/detail.html", context, status=status)


@webhooks_required
def delivery_detail(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    """One delivery: its payload and every attempt (status, time, the receiver's answer)."""
    subscription = _subscription(request, pk)
    message = get_object_or_404(OutboxMessage, pk=delivery_pk, subscription=subscription)
    attempts = message.delivery_attempts.order_by("-number")
    return render(
        request,
        "webhooks/delivery.html",
        {
            "subscription": subscription,
            "message": message,
            "attempts": attempts,
            "payload": _pretty(message.body_text),
        },
    )


@require_POST
@webhooks_required
def webhook_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """rotate-secret, ping, delete: each a service call; refusals come back as a message."""
    subscription = _subscription(request, pk)
    calls = {
        "rotate-secret": (services.rotate_secret, "A new secret was generated. Update your receiver now."),
        "ping": (services.send_ping, "A test delivery was queued: it appears in the log below."),
        "delete": (services.delete_subscription, "Webhook deleted."),
    }
    if action not in calls:
        return HttpResponse("Unknown action.", status=404)
    call, success = calls[action]
    try:
        call(subscription, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(subscription)
    messages.success(request, success)
    return redirect("webhooks:list") if action == "delete" else redirect(subscription)


@require_POST
@webhooks_required
def delivery_replay(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    message = get_object_or_404(OutboxMessage, pk=delivery_pk, subscription=subscription)
    try:
        copy = services.replay(message, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("webhooks:delivery", subscription.pk, message.pk)
    messages.success(request, "The delivery was queued again with the same payload.")
    return redirect("webhooks:delivery", subscription.pk, copy.pk)


def _form_errors(form: WebhookForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _pretty(body: str) -> str:
    import json

    try:
        return json.dumps(json.loads(body), indent=2, sort_keys=True)
    except ValueError:
        return body
