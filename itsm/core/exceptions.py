"""Domain errors that every surface (pages, API, commands) turns into a clear message."""


class DomainError(Exception):
    """Base for expected, user-facing failures of a service call."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(DomainError):
    """A workflow move that the record's state or a guard forbids."""

    code = "transition_not_allowed"
    http_status = 409


class StaleVersion(DomainError):
    """Someone else changed the record after the caller read it."""

    code = "stale_version"
    http_status = 409

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            f"This record was changed by someone else (your version {expected}, "
            f"current version {current}). Reload it and apply your change again."
        )
        self.expected = expected
        self.current = current


class PermissionDenied(DomainError):
    """The actor may not do this to this record."""

    code = "permission_denied"
    http_status = 403
