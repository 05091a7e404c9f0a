"""Per-kind counters for human record numbers (INC0001001)."""

from django.db import models

from itsm.core.choices import TaskKind


class NumberCounter(models.Model):
    """The last number handed out for a kind.

    On PostgreSQL the numbers come from one database sequence per kind (no row lock held
    by the creating transaction, gaps on rollback are fine); this row then only records
    the sequence's start. On SQLite, which serialises writers anyway, this row is the counter.
    """

    kind = models.CharField(max_length=30, choices=TaskKind.choices, unique=True)
    last_value = models.BigIntegerField(default=1000)

    def __str__(self) -> str:
        return f"{self.kind}: {self.last_value}"
