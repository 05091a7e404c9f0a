"""CMDB pages, mounted at /cmdb/."""

from django.urls import path

from itsm.cmdb import views

app_name = "cmdb"
urlpatterns = [
    path("services/", views.service_list, name="service-list"),
    path("services/<int:pk>/", views.service_detail, name="service-detail"),
    path("cis/", views.ci_list, name="ci-list"),
    path("cis/<int:pk>/", views.ci_detail, name="ci-detail"),
]
