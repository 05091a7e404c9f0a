from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        """Requested items are approved through the shared machinery: hear its outcomes."""
        from catalog.services.requests import item_summary, on_approval_outcome
        from itsm.approvals import registry

        registry.register("request_item", on_approval_outcome, summary=item_summary)
