"""Approval pages. Namespace "approval": `Task.get_absolute_url()` reverses `approval:detail`.

Mounted at the site root, so the portal's list lives under /portal/approvals/ in the same namespace.
"""

from django.urls import path

from itsm.approvals import views

app_name = "approval"
urlpatterns = [
    path("approvals/", views.queue, name="queue"),
    path("approvals/<int:pk>/", views.detail, name="detail"),
    path("approvals/<int:pk>/decide/", views.decide, name="decide"),
    path("approvals/decide/<str:token>/", views.decide_link, name="decide-link"),
    path("portal/approvals/", views.portal_queue, name="portal-queue"),
]
