"""`manage.py import_cmdb --cis cis.csv [--relationships rels.csv] [--dry-run]`."""

import time
from pathlib import Path
from typing import TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from itsm.cmdb.importer import ImportResult, Problem, import_cmdb

#: Problems printed before the report says "and N more".
REPORT_LIMIT = 500


class ProgressBar:
    """`checking CIs [##########..........]  52%  5,200/10,000` redrawn in place on a terminal,
    one line per stage (at most every 10 %) when the stream is a file or a pipe."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.stage = ""
        self.shown_tenth = -1
        self.last_draw = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self._finish()
            self.stage, self.shown_tenth = stage, -1
        fraction = done / total if total else 1.0
        if self.interactive:
            now = time.monotonic()
            if done >= total or now - self.last_draw > 0.1:
                self._write(f"\r{self._line(fraction, done, total)}")
                self.stream.flush()
                self.last_draw = now
        elif int(fraction * 10) > self.shown_tenth:
            self.shown_tenth = int(fraction * 10)
            self._write(f"{self._line(fraction, done, total)}\n")

    def _line(self, fraction: float, done: int, total: int) -> str:
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        return f"{self.stage:<22} [{bar}] {fraction:>4.0%}  {done:,}/{total:,}"

    def _finish(self) -> None:
        if self.stage and self.interactive:
            self._write("\n")

    def _write(self, text: str) -> None:
        # Plain text: the command's stderr would otherwise colour everything as an error.
        self.stream.write(text, style_func=str, ending="")

    def close(self) -> None:
        self._finish()
        self.stage = ""


class Command(BaseCommand):
    help = (
        "Import configuration items and relationships from CSV files. Everything is checked first; "
        "if any row has a problem, the report lists them all and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cis",
            type=Path,
            help="CSV of CIs: name, class, status, environment, "
            "owner_team, description, services (';'-separated), attr.<key>...",
        )
        parser.add_argument("--relationships", type=Path, help="CSV of relationships: source, kind, target.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, but write nothing.")

    def handle(self, *args, cis: Path | None, relationships: Path | None, dry_run: bool, **options) -> None:
        if cis is None and relationships is None:
            raise CommandError("Give --cis, --relationships, or both.")
        started = time.monotonic()
        progress = ProgressBar(self.stderr)
        with _open(cis) as cis_file, _open(relationships) as relationships_file:
            result = import_cmdb(
                cis_file,
                relationships_file,
                cis_label=cis.name if cis else "",
                relationships_label=relationships.name if relationships else "",
                dry_run=dry_run,
                progress=progress,
            )
        progress.close()
        if not result.ok:
            self._report(result.problems)
            raise CommandError(f"{len(result.problems)} problem(s) found; nothing was written.")
        self.stdout.write(self._summary(result, time.monotonic() - started))

    def _report(self, problems: list[Problem]) -> None:
        width = max(len(p.file) for p in problems)
        self.stderr.write(f"{'file':<{width}}  {'row':>6}  {'column':<16}  message")
        for problem in problems[:REPORT_LIMIT]:
            row = str(problem.row) if problem.row else "-"
            self.stderr.write(
                f"{problem.file:<{width}}  {row:>6}  {problem.column or '-':<16}  {problem.message}"
            )
        if len(problems) > REPORT_LIMIT:
            self.stderr.write(f"... and {len(problems) - REPORT_LIMIT} more.")

    @staticmethod
    def _summary(result: ImportResult, seconds: float) -> str:
        verb = "Would import" if result.dry_run else "Imported"
        return (
            f"{verb} in {seconds:.1f} s: CIs {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.components_added} service components added; "
            f"relationships {result.relationships_created} created, "
            f"{result.relationships_existing} already present."
            + (" Dry run: nothing was written." if result.dry_run else "")
        )


class _open:
    """Open a CSV path for reading (UTF-8, with or without a BOM), or stand in for a missing one."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.file: TextIO | None = None

    def __enter__(self) -> TextIO | None:
        if self.path is None:
            return None
        try:
            self.file = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            raise CommandError(f"Cannot read {self.path}: {error.strerror}.") from None
        return self.file

    def __exit__(self, *exc) -> None:
        if self.file is not None:
            self.file.close()
