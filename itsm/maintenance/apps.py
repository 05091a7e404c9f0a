from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    """Windows live on the platform: they belong to services and CIs, and the change practice,
    SLAs and the portal all read them, so no practice app may own them."""

    name = "itsm.maintenance"
    label = "maintenance"
    verbose_name = "Maintenance and blackout windows"
