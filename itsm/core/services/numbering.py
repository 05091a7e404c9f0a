"""Human record numbers: unique per kind, safe under concurrency, gaps allowed."""

from django.db import connection, transaction
from django.db.models import F

from itsm.core.choices import NUMBER_PREFIXES
from itsm.core.models import NumberCounter

NUMBER_DIGITS = 7


def next_number(kind: str) -> str:
    """Allocate the next number for `kind`, e.g. 'INC0001001'.

    PostgreSQL: `nextval` on the kind's sequence, which holds no lock until commit, so
    concurrent creators never wait on each other (a rolled-back number is skipped).
    SQLite: an atomic increment of the counter row (SQLite serialises writers).
    """
    prefix = NUMBER_PREFIXES[kind]
    value = _next_value_postgres(kind) if connection.vendor == "postgresql" else _next_value_row(kind)
    return f"{prefix}{value:0{NUMBER_DIGITS}d}"


def sequence_name(kind: str) -> str:
    return f"core_number_{kind}"


def _next_value_postgres(kind: str) -> int:
    """`nextval` on the kind's sequence; migration core.0002 creates one per TaskKind."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence_name(kind)])
        return cursor.fetchone()[0]


def _next_value_row(kind: str) -> int:
    with transaction.atomic():
        NumberCounter.objects.get_or_create(kind=kind)
        NumberCounter.objects.filter(kind=kind).update(last_value=F("last_value") + 1)
        return NumberCounter.objects.values_list("last_value", flat=True).get(kind=kind)
