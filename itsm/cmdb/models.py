"""Services and configuration items, and the typed graph between them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from itsm.cmdb.choices import (
    CIClass,
    CIStatus,
    Criticality,
    Environment,
    OperationalStatus,
    RelationshipKind,
    ServiceKind,
)
from itsm.cmdb.querysets import CIRelationshipQuerySet, ConfigurationItemQuerySet, ServiceQuerySet


class Service(models.Model):
    """A service the organisation offers (business) or runs to support others (technical).

    `components` are the CIs that deliver it; `depends_on` are services it needs. Both
    feed impact analysis: a failing CI affects every service above it in the graph.
    """

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=ServiceKind.choices, default=ServiceKind.BUSINESS)
    description = models.TextField(blank=True)
    owner_team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    criticality = models.PositiveSmallIntegerField(choices=Criticality.choices, default=Criticality.MEDIUM)
    operational_status = models.CharField(
        max_length=20, choices=OperationalStatus.choices, default=OperationalStatus.OPERATIONAL
    )
    components = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        through="cmdb.ServiceComponent",
        blank=True,
        related_name="services",
    )
    depends_on = models.ManyToManyField(
        "self",
        through="cmdb.ServiceDependency",
        symmetrical=False,
        blank=True,
        related_name="dependants",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cmdb:service-detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return OperationalStatus.colour(self.operational_status)

    @property
    def criticality_colour(self) -> str:
        return Criticality.colour(self.criticality)


class ConfigurationItem(models.Model):
    """Something IT manages that a service needs: a server, an application, a database..."""

    name = models.CharField(max_length=200, unique=True)
    ci_class = models.CharField("class", max_length=30, choices=CIClass.choices, db_index=True)
    status = models.CharField(max_length=20, choices=CIStatus.choices, default=CIStatus.IN_SERVICE)
    environment = models.CharField(max_length=20, choices=Environment.choices, default=Environment.PRODUCTION)
    owner_team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="cis"
    )
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text="Free attributes (JSON object).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConfigurationItemQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "configuration item"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cmdb:ci-detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return CIStatus.colour(self.status)


class GraphEdge(models.Model):
    """Who drew an edge of the CMDB graph, and when: the audit of a graph that has no timeline.

    Edges are only ever added or removed (never edited) by `itsm.cmdb.services`, so the
    creator and creation time are the whole history of a row. `created_by` is empty for
    edges drawn by the system (CSV import, demo data).
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class CIRelationship(GraphEdge):
    """`source <kind> target`: the source needs the target. Created by services that refuse cycles."""

    source = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="relationships_out")
    target = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)

    objects = CIRelationshipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="cirel_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="cirel_not_self"),
        ]
        indexes = [models.Index(fields=["target", "source"], name="cirel_upward_idx")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"

    @property
    def kind_label(self) -> str:
        return RelationshipKind(self.kind).label if self.kind in RelationshipKind.values else self.kind


class ServiceComponent(GraphEdge):
    """A CI that delivers a service."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    configuration_item = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "configuration_item"], name="svccomp_unique")
        ]
        indexes = [models.Index(fields=["configuration_item", "service"], name="svccomp_ci_idx")]

    def __str__(self) -> str:
        return f"{self.configuration_item_id} delivers {self.service_id}"


class ServiceDependency(GraphEdge):
    """`service` needs `depends_on` (a business service on a technical one)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    depends_on = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "depends_on"], name="svcdep_unique"),
            models.CheckConstraint(condition=~Q(service=F("depends_on")), name="svcdep_not_self"),
        ]
        indexes = [models.Index(fields=["depends_on", "service"], name="svcdep_upward_idx")]
        verbose_name_plural = "service dependencies"

    def __str__(self) -> str:
        return f"{self.service_id} depends on {self.depends_on_id}"
