from django.urls import path

from itsm.portal import views

app_name = "portal"
urlpatterns = [path("", views.home, name="home"), path("search/", views.search, name="search")]
