from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "itsm.api"
    label = "api"
    verbose_name = "API"
