from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "itsm.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:
        from itsm.core.configcache import forget_on_change
        from itsm.sla.models import Calendar, Holiday, SLADefinition, WorkingWindow
        from itsm.sla.services.clocks import DEFINITIONS_CACHE

        forget_on_change(DEFINITIONS_CACHE, SLADefinition, Calendar, WorkingWindow, Holiday)
