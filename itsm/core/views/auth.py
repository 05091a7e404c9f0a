"""Sign-in with throttling of repeated failures."""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _keys(request: HttpRequest, username: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:ip:{_client_ip(request)}", f"login-fail:user:{name}"]


def _is_throttled(request: HttpRequest, username: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    # The IP key gets a larger allowance: several people may share one address.
    ip_key, user_key = _keys(request, username)
    return (cache.get(user_key, 0) >= limit) or (cache.get(ip_key, 0) >= limit * 4)


def _count_failure(request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


class ThrottledLoginView(auth_views.LoginView):
    """Django's login, refusing with 429 after LOGIN_FAILURE_LIMIT failures in the window."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        if _is_throttled(request, username):
            form = self.get_form()
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW // 60)
            form.errors.clear()
            form.add_error(
                None,
                f"Too many failed sign-in attempts. Wait {minutes} minutes or reset your password.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        """Django puts the request's host in `site_name`; the page shows the configured name."""
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}

    def form_invalid(self, form):
        _count_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_keys(self.request, form.get_user().get_username())[1])
        return super().form_valid(form)
