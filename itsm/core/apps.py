from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "itsm.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from itsm.core import signals  # noqa: F401  (profile for every user)
