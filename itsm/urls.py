"""Root URLconf: the composition root of the web surfaces."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from itsm.core.views.home import home

admin.site.site_header = "ITSM administration"
admin.site.site_title = "ITSM admin"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("itsm.core.auth_urls")),
    path("account/api-tokens/", include("itsm.api.page_urls")),
    path("", include("itsm.core.urls")),
    path("", include("itsm.approvals.urls")),
    path("portal/", include("itsm.portal.urls")),
    path("dashboards/", include("itsm.dashboards.urls")),
    path("cmdb/", include("itsm.cmdb.urls")),
    path("mail/", include("itsm.mail.urls")),
    path("webhooks/", include("itsm.notifications.webhooks.urls")),
    path("incidents/", include("incidents.urls")),
    path("problems/", include("problems.urls")),
    path("changes/", include("changes.urls")),
    path("catalog/", include("catalog.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("suppliers/engagements/", include("suppliers.engagement_urls")),
    path("suppliers/", include("suppliers.urls")),
    path("improvements/", include("improvements.urls")),
    path("api/v1/", include("itsm.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

handler400 = "itsm.core.views.errors.bad_request"
handler403 = "itsm.core.views.errors.permission_denied"
handler404 = "itsm.core.views.errors.page_not_found"
handler500 = "itsm.core.views.errors.server_error"
