"""Errors of the SLA app that every surface turns into a clear message."""

from itsm.core.exceptions import DomainError


class InUse(DomainError):
    """Configuration that clocks or definitions still refer to cannot be deleted."""

    code = "in_use"
    http_status = 409
