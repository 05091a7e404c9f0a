"""`manage.py import_contracts contracts.csv --actor manager [--commit]`: the CSV import from a shell.

Without `--commit` it is the dry run: the same report per row as the page, nothing written.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from itsm.core.exceptions import DomainError
from suppliers.services import import_contracts


class Command(BaseCommand):
    help = "Check (dry run) or import contracts from a CSV file; prints a report per row."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--actor", required=True, help="Username of the manager the import is recorded as."
        )
        parser.add_argument("--commit", action="store_true", help="Create the valid rows (default: dry run).")

    def handle(self, *args, path: Path, actor: str, commit: bool, **options):
        user = get_user_model().objects.filter(username=actor, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {actor!r}.")
        try:
            report = import_contracts(path.read_bytes(), actor=user, dry_run=not commit)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except DomainError as error:
            raise CommandError(error.message) from error
        for error in report.errors:
            self.stdout.write(f"line {error.line}: {error.field}: {error.message}")
        if commit:
            self.stdout.write(f"{len(report.created)} created, {len(report.invalid_lines)} row(s) left out.")
        else:
            self.stdout.write(
                f"Dry run: {len(report.valid_lines)} of {report.rows} row(s) can be imported "
                f"(run again with --commit to import them)."
            )
        if report.errors:
            self.stderr.write(self.style.WARNING(f"{len(report.invalid_lines)} row(s) have problems."))
