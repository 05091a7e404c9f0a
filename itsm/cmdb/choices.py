"""Choices for services and configuration items, with badge colours."""

from django.db import models


class ServiceKind(models.TextChoices):
    BUSINESS = "business", "Business service"
    TECHNICAL = "technical", "Technical service"


CRITICALITY_COLOURS = {1: "red", 2: "orange", 3: "amber", 4: "grey"}


class Criticality(models.IntegerChoices):
    CRITICAL = 1, "1 - Critical"
    HIGH = 2, "2 - High"
    MEDIUM = 3, "3 - Medium"
    LOW = 4, "4 - Low"

    @classmethod
    def colour(cls, value: int) -> str:
        return CRITICALITY_COLOURS.get(value, "grey")


OPERATIONAL_STATUS_COLOURS = {
    "operational": "green",
    "degraded": "amber",
    "partial_outage": "orange",
    "major_outage": "red",
    "maintenance": "blue",
    "retired": "grey",
}


class OperationalStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded", "Degraded performance"
    PARTIAL_OUTAGE = "partial_outage", "Partial outage"
    MAJOR_OUTAGE = "major_outage", "Major outage"
    MAINTENANCE = "maintenance", "Under maintenance"
    RETIRED = "retired", "Retired"

    @classmethod
    def colour(cls, value: str) -> str:
        return OPERATIONAL_STATUS_COLOURS.get(value, "grey")


class CIClass(models.TextChoices):
    SERVER = "server", "Server"
    VIRTUAL_MACHINE = "virtual_machine", "Virtual machine"
    APPLICATION = "application", "Application"
    DATABASE = "database", "Database"
    NETWORK_DEVICE = "network_device", "Network device"
    STORAGE = "storage", "Storage"
    CLOUD_RESOURCE = "cloud_resource", "Cloud resource"
    WORKSTATION = "workstation", "Workstation"
    OTHER = "other", "Other"


CI_STATUS_COLOURS = {
    "planned": "blue",
    "in_service": "green",
    "maintenance": "amber",
    "retired": "grey",
}


class CIStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_SERVICE = "in_service", "In service"
    MAINTENANCE = "maintenance", "In maintenance"
    RETIRED = "retired", "Retired"

    @classmethod
    def colour(cls, value: str) -> str:
        return CI_STATUS_COLOURS.get(value, "grey")


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    STAGING = "staging", "Staging"
    TEST = "test", "Test"
    DEVELOPMENT = "development", "Development"


class RelationshipKind(models.TextChoices):
    """Read as `source <kind> target`; in every kind the source needs the target to work."""

    DEPENDS_ON = "depends_on", "Depends on"
    RUNS_ON = "runs_on", "Runs on"
    HOSTED_ON = "hosted_on", "Hosted on"
    CONNECTS_TO = "connects_to", "Connects to"
