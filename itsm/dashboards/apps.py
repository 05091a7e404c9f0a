from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "itsm.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
