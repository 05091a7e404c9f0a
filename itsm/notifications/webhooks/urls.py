"""Webhook pages, mounted at /webhooks/."""

from django.urls import path

from itsm.notifications.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_new, name="new"),
    path("<int:pk>/", views.webhook_detail, name="detail"),
    path("<int:pk>/deliveries/<int:delivery_pk>/", views.delivery_detail, name="delivery"),
    path("<int:pk>/deliveries/<int:delivery_pk>/replay/", views.delivery_replay, name="replay"),
    path("<int:pk>/<slug:action>/", views.webhook_action, name="action"),
]
