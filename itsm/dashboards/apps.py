from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DashboardsConfig(AppConfig):
    name = "itsm.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        """Load every installed app's `dashboard.py`: practices register their boards there."""
        from itsm.dashboards import metrics

        metrics.register()
        autodiscover_modules("dashboard")
