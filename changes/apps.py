from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "Changes"

    def ready(self) -> None:
        """Plug into the platform's approvals (CAB decisions) and the catalog's standard-change hook."""
        import catalog.services as catalog_services
        from changes.services import cab_summary, create_standard_change_for_item, on_cab_decision
        from itsm.approvals import registry
        from itsm.core.choices import TaskKind

        registry.register(TaskKind.CHANGE, on_cab_decision, summary=cab_summary)
        catalog_services.register_standard_change_handler(create_standard_change_for_item)
