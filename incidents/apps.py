from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from incidents import dashboard_facts
        from incidents.mail import IncidentMailHandler
        from incidents.models import PriorityRule, RoutingRule
        from incidents.priority import MATRIX_CACHE
        from incidents.routing import RULES_CACHE
        from itsm.core.configcache import forget_on_change
        from itsm.core.models import Team
        from itsm.mail.registry import register as register_mail_handler

        forget_on_change(MATRIX_CACHE, PriorityRule)
        # The rules carry their teams: a renamed or re-addressed team must not linger.
        forget_on_change(RULES_CACHE, RoutingRule, Team)
        register_mail_handler(IncidentMailHandler())
        dashboard_facts.register()
