"""Choices of the supplier practice."""

from django.db import models


class SupplierStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_PROBATION = "probation", "On probation"
    INACTIVE = "inactive", "Inactive"


class ContractKind(models.TextChoices):
    SUPPORT = "support", "Support / maintenance"
    MANAGED_SERVICE = "managed_service", "Managed service"
    LICENCE = "licence", "Licence"
    LEASE = "lease", "Lease"
