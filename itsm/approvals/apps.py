from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """Approvals live on the platform because several practices (catalog, changes) share them."""

    name = "itsm.approvals"
    label = "approvals"
    verbose_name = "Approvals"
