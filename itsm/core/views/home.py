"""The landing redirect: each role starts on its own surface."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from itsm.core import roles

_SURFACE_URLS = {
    "dashboards": "dashboards:home",
    "workspace": "core:workspace",
    "portal": "portal:home",
}


@login_required
def home(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(_SURFACE_URLS[roles.landing_surface(request.user)]))
