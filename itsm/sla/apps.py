from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "itsm.sla"
    label = "sla"
    verbose_name = "SLA"
