"""CSV import of contracts: a dry run reports every problem per row; an import creates the valid rows.

The file is read and checked as a whole first (names looked up once per file, not per row),
then the valid rows are created through `create_contract` in one transaction, so each new
contract is audited and gets its underpinning SLA definitions like any other.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from itsm.cmdb.models import ConfigurationItem, Service
from itsm.core.exceptions import DomainError
from itsm.sla.models import Calendar
from suppliers.choices import ContractKind
from suppliers.models import Contract, Supplier
from suppliers.services.records import _require_manager, create_contract

REQUIRED_COLUMNS = ("reference", "supplier", "start_date")
OPTIONAL_COLUMNS = (
    "kind",
    "title",
    "end_date",
    "notice_date",
    "value",
    "currency",
    "support_hours",
    "response_hours",
    "resolution_hours",
    "services",
    "configuration_items",
    "covers_service_cis",
    "owner",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
LIST_SEPARATOR = ";"
TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    """What a dry run found, or what an import did (`created` holds the new references)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    valid_lines: list[int] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    dry_run: bool = True

    @property
    def invalid_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})


@dataclass
class _Row:
    line: int
    fields: dict[str, Any]
    services: list[Service]
    cis: list[ConfigurationItem]


def import_contracts(data: bytes, *, actor: User, dry_run: bool = True) -> ImportReport:
    """Check every row; unless `dry_run`, create the valid ones (all or none of them)."""
    _require_manager(actor)
    records = _read(data)
    lookups = _Lookups(records)
    report = ImportReport(rows=len(records), dry_run=dry_run)
    rows: list[_Row] = []
    seen: set[str] = set()
    for line, record in records:
        errors, row = _check(line, record, lookups, seen)
        report.errors += errors
        if row is not None:
            rows.append(row)
            report.valid_lines.append(line)
    if not dry_run and rows:
        with transaction.atomic():
            for row in rows:
                contract = create_contract(
                    actor=actor, services=row.services, configuration_items=row.cis, **row.fields
                )
                report.created.append(contract.reference)
    return report


def _read(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; a file that is not a contracts CSV is refused as a whole."""
    if not data.strip():
        raise DomainError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise DomainError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError("The file is not UTF-8 text (save it as “CSV UTF-8”).") from error
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise DomainError(
            f"Missing column(s): {', '.join(missing)}. "
            f"The first line must name the columns: {', '.join(COLUMNS)}."
        )
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise DomainError(f"Unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(COLUMNS)}.")
    reader.fieldnames = header
    records = []
    try:
        for record in reader:
            if len(records) >= MAX_ROWS:
                raise DomainError(f"The file has more than {MAX_ROWS} rows; split it.")
            values = {key: (value or "").strip() for key, value in record.items() if key}
            if any(values.values()):
                records.append((reader.line_num, values))
    except csv.Error as error:
        raise DomainError(f"The file is not valid CSV near line {reader.line_num}: {error}.") from error
    if not records:
        raise DomainError("The file has a header but no rows.")
    return records


class _Lookups:
    """Every name the file uses, looked up once (a few queries per file, whatever its length)."""

    def __init__(self, records: list[tuple[int, dict[str, str]]]) -> None:
        def names(column: str, split: bool = False) -> set[str]:
            found = set()
            for _, record in records:
                value = record.get(column, "")
                found |= {part.strip() for part in value.split(LIST_SEPARATOR)} if split else {value}
            return found - {""}

        self.suppliers = {s.name.casefold(): s for s in Supplier.objects.filter(name__in=names("supplier"))}
        self.calendars = {
            c.name.casefold(): c for c in Calendar.objects.filter(name__in=names("support_hours"))
        }
        self.services = {
            s.name.casefold(): s for s in Service.objects.filter(name__in=names("services", True))
        }
        self.cis = {
            c.name.casefold(): c
            for c in ConfigurationItem.objects.filter(name__in=names("configuration_items", True))
        }
        self.owners = {
            u.username.casefold(): u for u in User.objects.filter(username__in=names("owner"), is_active=True)
        }
        self.existing = set(
            Contract.objects.filter(reference__in=names("reference")).values_list("reference", flat=True)
        )


def _check(
    line: int, record: dict[str, str], lookups: _Lookups, seen: set[str]
) -> tuple[list[RowError], _Row | None]:
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    fields: dict[str, Any] = {}
    reference = record.get("reference", "")
    if not reference:
        fail("reference", "Give the contract reference.")
    elif reference in lookups.existing:
        fail("reference", f"A contract {reference} already exists.")
    elif reference in seen:
        fail("reference", f"{reference} appears twice in the file.")
    seen.add(reference)
    fields["reference"] = reference
    fields["title"] = record.get("title", "")
    fields["supplier"] = _named(record, "supplier", lookups.suppliers, fail, required=True)
    fields["support_hours"] = _named(record, "support_hours", lookups.calendars, fail)
    fields["owner"] = _named(record, "owner", lookups.owners, fail)
    fields["kind"] = _kind(record.get("kind", ""), fail)
    for column in ("start_date", "end_date", "notice_date"):
        fields[column] = _date(record.get(column, ""), column, fail, required=column == "start_date")
    fields["value"] = _decimal(record.get("value", ""), fail)
    fields["currency"] = (record.get("currency") or "EUR").upper()
    fields["response_time"] = _hours(record.get("response_hours", ""), "response_hours", fail)
    fields["resolution_time"] = _hours(record.get("resolution_hours", ""), "resolution_hours", fail)
    covers = record.get("covers_service_cis", "").casefold()
    if covers not in TRUE | FALSE:
        fail("covers_service_cis", "Write yes or no.")
    fields["covers_service_cis"] = covers in TRUE
    services = _named_list(record, "services", lookups.services, fail)
    cis = _named_list(record, "configuration_items", lookups.cis, fail)
    _model_rules(fields, fail, skip={error.field for error in errors})
    return errors, (None if errors else _Row(line, fields, services, cis))


def _named(record, column, known, fail, *, required=False):
    name = record.get(column, "")
    if not name:
        if required:
            fail(column, "This column must be filled in.")
        return None
    found = known.get(name.casefold())
    if found is None:
        fail(column, f"No {column.replace('_', ' ')} is called “{name}”.")
    return found


def _named_list(record, column, known, fail) -> list:
    names = [part.strip() for part in record.get(column, "").split(LIST_SEPARATOR) if part.strip()]
    missing = [name for name in names if name.casefold() not in known]
    if missing:
        fail(column, f"Unknown: {', '.join(missing)} (separate several names with “{LIST_SEPARATOR}”).")
    return [known[name.casefold()] for name in names if name.casefold() in known]


def _kind(value: str, fail) -> str:
    if not value:
        return ContractKind.SUPPORT
    for choice, label in ContractKind.choices:
        if value.casefold() in (choice, label.casefold()):
            return choice
    fail("kind", f"Use one of: {', '.join(ContractKind.values)}.")
    return ContractKind.SUPPORT


def _date(value: str, column: str, fail, *, required: bool) -> date | None:
    if not value:
        if required:
            fail(column, "This column must be filled in.")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(column, f"“{value}” is not a date; write YYYY-MM-DD.")
        return None


def _decimal(value: str, fail) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value.replace(" ", "").replace(",", ""))
    except InvalidOperation:
        fail("value", f"“{value}” is not an amount.")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        fail("value", "Give an amount from 0 to 9,999,999,999.99.")
        return None
    return amount.quantize(Decimal("0.01"))


def _hours(value: str, column: str, fail) -> timedelta | None:
    if not value:
        return None
    try:
        hours = float(value)
    except ValueError:
        fail(column, f"“{value}” is not a number of hours.")
        return None
    if not 0 < hours <= 24 * 366:
        fail(column, "Give a number of hours above 0 (at most a year).")
        return None
    return timedelta(hours=hours)


def _model_rules(fields: dict[str, Any], fail, *, skip: set[str]) -> None:
    """The contract's own rules (dates in order, field lengths), reported per field, also on a
    row with other problems (columns already reported are not reported twice)."""
    contract = Contract(**{name: value for name, value in fields.items() if name != "supplier"})
    try:
        contract.full_clean(exclude=["reference", "supplier", *skip], validate_unique=False)
    except ValidationError as error:
        for column, messages in error.message_dict.items():
            if column not in skip and not (column == "start_date" and fields["start_date"] is None):
                fail(column, " ".join(messages))
