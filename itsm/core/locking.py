"""Row locking and optimistic concurrency, through one helper.

Rules: lock inside the service's transaction, through `lock_for_update`, once per row,
rows in primary-key order when a service locks several, and as late as possible.
"""

from typing import TypeVar

from django.db import models, transaction

from itsm.core.exceptions import StaleVersion

M = TypeVar("M", bound=models.Model)


def lock_for_update(queryset: models.QuerySet[M], pk: int, *, expected_version: int | None = None) -> M:
    """Lock the row and return it fresh; StaleVersion if the caller read an older version.

    Must run inside `transaction.atomic()`. `expected_version` is the `version` the caller
    saw (form hidden field, API `If-Match`); None skips the check.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_update() must run inside transaction.atomic()")
    # No `of=`: a practice model's query joins its Task parent row, and both rows are locked.
    record = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and record.version != expected_version:
        raise StaleVersion(expected=expected_version, current=record.version)
    return record


def save_locked(record: models.Model, *, update_fields: list[str]) -> None:
    """Save a locked record, bumping its version so other readers see a new one."""
    record.version += 1
    record.save(update_fields=[*update_fields, "version", "updated_at"])
