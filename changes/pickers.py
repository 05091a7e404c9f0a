"""Type-ahead pickers for the change form's affected services and CIs.

A CMDB holds tens of thousands of CIs: a dropdown of all of them is unusable and slow to
render. The picker widget renders only the chosen items (as checked checkboxes) and a search
box; htmx asks `change:pick` for matches (the CMDB's own search, `itsm.cmdb.filtersets`) and
shows them as more checkboxes. Checkboxes and a search box are keyboard- and phone-friendly,
and without JavaScript the chosen items still post back unchanged.
"""

from django import forms
from django.db.models import QuerySet

from itsm.cmdb.filtersets import ConfigurationItemFilterSet, ServiceFilterSet
from itsm.cmdb.models import ConfigurationItem, Service

#: How many matches a search shows (type more to narrow it).
LIMIT = 20
#: Each picker: the model, the CMDB filterset whose `q` search it reuses, the form field name.
KINDS = {
    "cis": (ConfigurationItem, ConfigurationItemFilterSet, "affected_cis"),
    "services": (Service, ServiceFilterSet, "affected_services"),
}


def search(kind: str, query: str) -> list:
    """Up to LIMIT matches for `query` (one query), nothing for fewer than 2 characters."""
    model, filterset_class, _ = KINDS[kind]
    query = (query or "").strip()[:200]
    if len(query) < 2:
        return []
    found = filterset_class({"q": query}, queryset=model.objects.all()).qs
    return list(found.order_by("name", "pk")[:LIMIT])


class PickerWidget(forms.SelectMultiple):
    """Checked checkboxes for the chosen items plus a search box for more (see the module)."""

    template_name = "changes/widgets/picker.html"

    def __init__(self, kind: str, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].pop("optgroups", None)
        context["widget"]["kind"] = self.kind
        context["widget"]["chosen"] = self._chosen(value)
        return context

    def optgroups(self, name, value, attrs=None):
        return []  # never list every choice

    def _chosen(self, value) -> list:
        ids = [int(v) for v in (value or []) if str(v).isdigit()]
        if not ids:
            return []
        queryset: QuerySet = self.choices.queryset
        return list(queryset.filter(pk__in=ids).order_by("name"))

    def format_value(self, value):
        if value is None:
            return []
        items = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(item, "pk", item)) for item in items]
