from django.urls import path

from itsm.mail import views

app_name = "mail"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
]
