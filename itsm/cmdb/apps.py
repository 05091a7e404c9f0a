from django.apps import AppConfig


class CmdbConfig(AppConfig):
    name = "itsm.cmdb"
    label = "cmdb"
    verbose_name = "CMDB"
