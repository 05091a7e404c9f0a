"""Supplier pages, mounted at /suppliers/ (namespace "suppliers")."""

from django.urls import path

from suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.supplier_list, name="list"),
    path("<int:pk>/", views.supplier_detail, name="detail"),
    path("for-task/<int:task_pk>/", views.task_panel, name="for-task"),
    path("renewals/", views.renewals, name="renewals"),
]
