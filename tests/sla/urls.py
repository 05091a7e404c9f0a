"""The root URLconf plus the SLA API routes, for tests while the platform router does not include them.

Once `itsm/api/urls.py` calls `itsm.sla.api.routes.register`, the tests use the real URLconf.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from itsm.sla.api.routes import register
from itsm.urls import handler400, handler403, handler404, handler500
from itsm.urls import urlpatterns as root_urlpatterns

router = SimpleRouter()
register(router)

urlpatterns = [path("api/v1/", include(router.urls)), *root_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
