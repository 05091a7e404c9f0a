from django.urls import path

from itsm.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/records.csv", views.export_records, name="export_records"),
    path("export/<slug:table>.csv", views.export_table, name="export_table"),
]
