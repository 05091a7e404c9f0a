from django.urls import path

from improvements import views

app_name = "improvements"
urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("new/", views.create, name="create"),
    path("summary/", views.summary_subscription, name="summary"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/moves/<slug:name>/", views.move, name="move"),
    path("<int:pk>/links/", views.link, name="link"),
    path("<int:pk>/links/<int:link_pk>/remove/", views.unlink, name="unlink"),
]
