from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PortalConfig(AppConfig):
    name = "itsm.portal"
    label = "portal"
    verbose_name = "Self-service portal"

    def ready(self) -> None:
        # Each practice's `portal.py` registers what it adds to the portal home (see banners.py).
        autodiscover_modules("portal")
