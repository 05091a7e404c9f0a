"""Supplier pages, mounted at /suppliers/ (namespace "suppliers")."""

from django.urls import path

from suppliers.views import cmdb, manage, pages, panel

app_name = "suppliers"
urlpatterns = [
    path("", pages.supplier_list, name="list"),
    path("<int:pk>/", pages.supplier_detail, name="detail"),
    path("contracts/<int:pk>/", pages.contract_detail, name="contract"),
    path("contracts/<int:pk>/documents/", manage.add_document, name="add-document"),
    path("contracts/<int:pk>/documents/<int:document_pk>/", manage.document, name="document"),
    path(
        "contracts/<int:pk>/documents/<int:document_pk>/remove/",
        manage.remove_document,
        name="remove-document",
    ),
    path("contracts/import/", manage.import_contracts, name="import"),
    path("renewals/", pages.renewals, name="renewals"),
    path("for-task/<int:task_pk>/", panel.task_panel, name="for-task"),
    path("for-task/<int:task_pk>/engage/", panel.engage, name="engage"),
    path("engagements/<int:pk>/<slug:name>/", panel.move, name="move"),
    path("for-ci/<int:ci_pk>/", cmdb.ci_panel, name="for-ci"),
]
