"""Django admin for the CMDB: services with their components and dependencies, CIs with the
relationships they start, and relationships on their own.

Every edge an admin form saves passes the services' check (`check_ci_relationship`,
`check_service_dependency`) under the graph's writer lock, which the admin's transaction
holds until the save commits, so the admin cannot draw a cycle either. An inline checks
each row with the rows above it as pending edges.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from itsm.cmdb.models import CIRelationship, ConfigurationItem, Service, ServiceComponent, ServiceDependency
from itsm.cmdb.services import Graph, check_ci_relationship, check_service_dependency, lock_graph


class CIRelationshipForm(forms.ModelForm):
    """A relationship on its own page: checked like `relate_cis` checks it."""

    class Meta:
        model = CIRelationship
        fields = ["source", "kind", "target"]

    def clean(self):
        cleaned = super().clean()
        source, target, kind = cleaned.get("source"), cleaned.get("target"), cleaned.get("kind")
        if source and target and kind:
            lock_graph(Graph.CI)
            check_ci_relationship(source.pk, target.pk, kind, replacing=self.instance.pk)
        return cleaned


class EdgeFormSet(BaseInlineFormSet):
    """Checks every new or changed row of an inline, counting the accepted rows above it.

    Subclasses name their `graph` and define `edge(form)`, the (near, far) ids of a row, and
    `check(near, far, form, pending)`, which raises `ValidationError` as the services do.
    """

    graph: Graph

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None:
            return  # a CI or service being created has no edges yet, so nothing can loop
        accepted: list[tuple[int, int]] = []
        for form in self.forms:
            if not form.has_changed() or not form.is_valid() or form in self.deleted_forms:
                continue
            edge = self.edge(form)
            if edge is None:
                continue
            lock_graph(self.graph)
            try:
                self.check(*edge, form, accepted)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                accepted.append(edge)


class OutgoingRelationshipFormSet(EdgeFormSet):
    graph = Graph.CI

    def edge(self, form) -> tuple[int, int] | None:
        target = form.cleaned_data.get("target")
        return (self.instance.pk, target.pk) if target and form.cleaned_data.get("kind") else None

    def check(self, near: int, far: int, form, pending: list[tuple[int, int]]) -> None:
        check_ci_relationship(
            near, far, form.cleaned_data["kind"], replacing=form.instance.pk, pending=pending
        )


class DependencyFormSet(EdgeFormSet):
    graph = Graph.SERVICE

    @classmethod
    def get_default_prefix(cls) -> str:
        return "dependencies"  # the foreign key has no reverse accessor to name the prefix after

    def edge(self, form) -> tuple[int, int] | None:
        depends_on = form.cleaned_data.get("depends_on")
        return (self.instance.pk, depends_on.pk) if depends_on else None

    def check(self, near: int, far: int, form, pending: list[tuple[int, int]]) -> None:
        check_service_dependency(near, far, replacing=form.instance.pk, pending=pending)


class RecordsCreator:
    """Stamps `created_by` on the edges an admin adds, like the services do."""

    def save_formset(self, request, form, formset, change) -> None:
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj._state.adding and hasattr(obj, "created_by_id"):
                obj.created_by = request.user
            obj.save()
        formset.save_m2m()


class OutgoingRelationshipInline(admin.TabularInline):
    model = CIRelationship
    fk_name = "source"
    formset = OutgoingRelationshipFormSet
    fields = ["kind", "target", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    autocomplete_fields = ["target"]
    extra = 1
    verbose_name = "relationship (this item needs…)"
    verbose_name_plural = "relationships: what this item needs"


class ServiceComponentInline(admin.TabularInline):
    model = ServiceComponent
    fields = ["configuration_item", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    autocomplete_fields = ["configuration_item"]
    extra = 1
    verbose_name = "component"


class ServiceDependencyInline(admin.TabularInline):
    model = ServiceDependency
    fk_name = "service"
    formset = DependencyFormSet
    fields = ["depends_on", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    autocomplete_fields = ["depends_on"]
    extra = 1
    verbose_name = "dependency (this service needs…)"
    verbose_name_plural = "dependencies: services this one needs"


@admin.register(Service)
class ServiceAdmin(RecordsCreator, admin.ModelAdmin):
    list_display = ["name", "kind", "criticality", "operational_status", "owner_team", "updated_at"]
    list_filter = ["kind", "criticality", "operational_status", "owner_team"]
    list_select_related = ["owner_team"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["owner_team"]
    inlines = [ServiceComponentInline, ServiceDependencyInline]


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(RecordsCreator, admin.ModelAdmin):
    list_display = ["name", "ci_class", "status", "environment", "owner_team", "updated_at"]
    list_filter = ["ci_class", "status", "environment", "owner_team"]
    list_select_related = ["owner_team"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["owner_team"]
    readonly_fields = ["needed_by"]
    fields = [
        "name",
        "ci_class",
        "status",
        "environment",
        "owner_team",
        "description",
        "attributes",
        "needed_by",
    ]
    inlines = [OutgoingRelationshipInline]

    @admin.display(description="Needed by")
    def needed_by(self, ci: ConfigurationItem) -> str:
        """A link to the incoming relationships: a core switch has thousands, too many for an inline."""
        if ci.pk is None:
            return "—"
        count = ci.relationships_in.count()
        url = reverse("admin:cmdb_cirelationship_changelist") + f"?target__id__exact={ci.pk}"
        return format_html(
            '<a href="{}">{} relationship{} to this item</a>', url, count, "" if count == 1 else "s"
        )


@admin.register(CIRelationship)
class CIRelationshipAdmin(admin.ModelAdmin):
    form = CIRelationshipForm
    list_display = ["source", "kind", "target", "created_at", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["source", "target", "created_by"]
    search_fields = ["source__name", "target__name"]
    autocomplete_fields = ["source", "target"]
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
