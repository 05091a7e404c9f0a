"""Pages for API tokens and service accounts (under /account/api-tokens/)."""

from django.urls import path

from itsm.api import views

app_name = "api-tokens"
urlpatterns = [
    path("", views.my_tokens, name="mine"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("service-accounts/", views.service_accounts, name="service-accounts"),
    path("service-accounts/<int:pk>/", views.service_account_tokens, name="service-account"),
]
