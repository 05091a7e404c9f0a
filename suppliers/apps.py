from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Suppliers and contracts"

    def ready(self) -> None:
        from itsm.cmdb.panels import CIPanel, register_ci_panel

        register_ci_panel(
            CIPanel(key="suppliers", title="Suppliers and contracts", url_name="suppliers:for-ci")
        )
