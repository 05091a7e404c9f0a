"""The API token pages: everyone's own tokens; administrators' service accounts and their tokens.

A new key is shown once, in the response to the form that created it (never stored, never put
in a redirect or the session); the page is sent with `Cache-Control: no-store`. Someone else's
token is a 404, so ids do not reveal which tokens exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from itsm.api import scopes
from itsm.api.forms import ServiceAccountForm, TokenForm
from itsm.api.models import ApiToken, ServiceAccount
from itsm.api.tokens import (
    create_service_account,
    create_token,
    is_admin,
    may_manage_tokens_of,
    revoke_token,
)
from itsm.core.exceptions import DomainError

#: Tokens listed per owner (newest first); revoked and expired ones stay visible for the record.
LIST_LIMIT = 200


@login_required
def my_tokens(request: HttpRequest) -> HttpResponse:
    return _token_page(request, owner=request.user, account=None)


@login_required
def service_account_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied
    account = get_object_or_404(ServiceAccount.objects.select_related("user"), pk=pk)
    return _token_page(request, owner=account.user, account=account)


def _token_page(request: HttpRequest, *, owner, account: ServiceAccount | None) -> HttpResponse:
    form = TokenForm(request.POST or None, allow_never=is_admin(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            token, key = create_token(
                owner,
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            response = render(
                request,
                "api/token_created.html",
                {"token": token, "key": key, "owner": owner, "account": account, "back": request.path},
            )
            add_never_cache_headers(response)
            return response
    tokens = ApiToken.objects.filter(user=owner).select_related("created_by")[:LIST_LIMIT]
    context = {
        "form": form,
        "owner": owner,
        "account": account,
        "rows": [(token, token.state_at(timezone.now())) for token in tokens],
        "is_admin": is_admin(request.user),
        "areas": scopes.AREAS,
    }
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or not may_manage_tokens_of(request.user, token.user):
        raise Http404("No such token.")
    revoke_token(token, actor=request.user)
    messages.success(request, f"The token “{token.name}” is revoked; its key no longer works.")
    if token.user_id == request.user.pk:
        return redirect("api-tokens:mine")
    return redirect("api-tokens:service-account", pk=token.user.service_account.pk)


@login_required
def service_accounts(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied
    form = ServiceAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = create_service_account(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Service account {account} created. Issue its first token below.")
            return redirect("api-tokens:service-account", pk=account.pk)
    now = timezone.now()
    live = Q(user__api_tokens__revoked_at__isnull=True) & (
        Q(user__api_tokens__expires_at__isnull=True) | Q(user__api_tokens__expires_at__gt=now)
    )
    accounts = (
        ServiceAccount.objects.select_related("user")
        .prefetch_related("user__groups")
        .annotate(live_tokens=Count("user__api_tokens", filter=live))
    )
    return render(
        request,
        "api/service_accounts.html",
        {"form": form, "accounts": accounts},
        status=400 if form.errors else 200,
    )
