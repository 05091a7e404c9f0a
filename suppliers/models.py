"""Suppliers, their underpinning contracts on services and CIs, engagements, documents and audit."""

import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from itsm.core.models import Task
from itsm.core.querysets import TaskQuerySet
from suppliers.choices import ContractKind, SupplierStatus
from suppliers.querysets import ContractQuerySet, SupplierQuerySet

#: The longest response or resolution commitment a contract may state.
MAX_COMMITMENT = timedelta(days=366)


class Supplier(models.Model):
    """An external partner (managed service provider, hardware vendor, SaaS) and how to escalate to it."""

    name = models.CharField(max_length=150, unique=True)
    status = models.CharField(max_length=20, choices=SupplierStatus.choices, default=SupplierStatus.ACTIVE)
    contacts = models.TextField(blank=True, help_text="Named contacts: account manager, service manager...")
    escalation_portal = models.URLField(blank=True)
    escalation_phone = models.CharField(max_length=40, blank=True)
    escalation_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """An underpinning contract: what the supplier promises, when, for which services and CIs.

    A contract on a service covers the service's CIs only when `covers_service_cis` is set
    (a SaaS subscription covers the service, not the on-premises servers that also deliver it).
    """

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(max_length=20, choices=ContractKind.choices, default=ContractKind.SUPPORT)
    reference = models.CharField(max_length=80, unique=True)
    title = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    notice_date = models.DateField(null=True, blank=True, help_text="Last day to give notice or renew.")
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    support_hours = models.ForeignKey(
        "sla.Calendar", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_time = models.DurationField(null=True, blank=True)
    resolution_time = models.DurationField(null=True, blank=True)
    services = models.ManyToManyField("cmdb.Service", blank=True, related_name="supplier_contracts")
    configuration_items = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="supplier_contracts"
    )
    covers_service_cis = models.BooleanField(
        "covers the service's CIs",
        default=False,
        help_text="The contract also covers the CIs delivering its services.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_definition = models.OneToOneField(
        "sla.SLADefinition",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The SLA definition measuring the supplier's response (kept by the services).",
    )
    resolution_definition = models.OneToOneField(
        "sla.SLADefinition",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The SLA definition measuring the supplier's resolution (kept by the services).",
    )
    renewal_notified_for = models.DateField(
        null=True, blank=True, editable=False, help_text="The notice date the owner was last reminded of."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["supplier__name", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="contract_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.supplier})"

    def clean(self) -> None:
        """Date rules every write path shares (services call full_clean; the admin form does too)."""
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must not be before the start date."
        if self.notice_date and self.end_date and self.notice_date > self.end_date:
            errors["notice_date"] = "The notice date must not be after the end date."
        for name in ("response_time", "resolution_time"):
            value = getattr(self, name)
            if value is not None and not timedelta(0) < value <= MAX_COMMITMENT:
                errors[name] = "A commitment is longer than zero and at most a year."
        if errors:
            raise ValidationError(errors)

    @property
    def commitments(self) -> dict[str, timedelta | None]:
        return {"response": self.response_time, "resolution": self.resolution_time}


class SupplierEngagement(Task):
    """An incident (or problem, change) handed to a supplier: a Task of kind "supplier engagement".

    Being a Task gives it the timeline, the SLA clocks (the contract's underpinning
    definitions measure the supplier's response and resolution: `responded_at` and
    `resolved_at` are the supplier's), and the agent's queues. `record` is the task the
    supplier works for; the engagement's own timeline tells the supplier's side.
    """

    record = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="supplier_engagements")
    record_kind = models.CharField(
        max_length=30,
        default="",
        editable=False,
        help_text="The record's kind, copied when engaging (it never changes): performance figures count "
        "incidents engaged without joining every record.",
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="engagements")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    external_reference = models.CharField(
        max_length=100, blank=True, help_text="The supplier's own ticket or case number."
    )
    reason = models.TextField(help_text="Why the supplier is engaged: what is asked of them.")

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]

    @property
    def category(self) -> str:
        """The contract reference: what the underpinning SLA definitions match on (their category)."""
        return self.contract.reference if self.contract_id else ""


def contract_document_path(instance: "ContractDocument", filename: str) -> str:
    """Stored under a random name: the user's file name is never a path on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"contracts/{instance.contract_id}/{uuid.uuid4().hex}{suffix}"


class ContractDocument(models.Model):
    """A signed contract, schedule or price list; managers only (it carries the commercial terms).

    Contracts are not Tasks, so the core attachment table cannot hold these; the upload rules
    are the platform's (`itsm.core.uploads`).
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=contract_document_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class AuditEntry(models.Model):
    """Who changed a supplier or contract, when, and what (`changes`: {field: {old, new}}).

    Written by the services in the transaction of the change, whichever surface called them
    (pages, API, admin, CSV import, commands).
    """

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="audit_entries")
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField(max_length=60, help_text="Dotted code, e.g. contract.updated.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["supplier", "created_at"], name="supplier_audit_idx"),
            models.Index(fields=["contract", "created_at"], name="contract_audit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
