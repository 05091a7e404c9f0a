from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        """Requested items are approved through the shared machinery: hear its outcomes.
        Mailboxes set to requests raise them through the catalog's mail handler."""
        from catalog.mail import RequestMailHandler
        from catalog.services.requests import item_summary, on_approval_outcome
        from itsm.approvals import registry
        from itsm.mail.registry import register as register_mail_handler

        registry.register("request_item", on_approval_outcome, summary=item_summary)
        register_mail_handler(RequestMailHandler())
