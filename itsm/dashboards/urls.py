from django.urls import path

from itsm.dashboards import practice_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/records.csv", views.export_records, name="export_records"),
    path("export/<slug:table>.csv", views.export_table, name="export_table"),
    # Practice boards contributed through itsm.dashboards.registry.
    path("practices/<slug:practice>/", practice_views.practice, name="practice"),
    path("practices/<slug:practice>/<slug:table>.csv", practice_views.practice_table, name="practice_table"),
    path(
        "practices/<slug:practice>/records/<slug:segment>/",
        practice_views.practice_records,
        name="practice_records",
    ),
    path(
        "practices/<slug:practice>/records/<slug:segment>.csv",
        practice_views.practice_records_csv,
        name="practice_records_csv",
    ),
]
