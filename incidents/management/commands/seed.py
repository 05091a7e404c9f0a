"""`manage.py seed --incidents N`: bulk incident history for benchmarks (PostgreSQL: COPY)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from incidents.seeding import seed_incidents


class Command(BaseCommand):
    help = "Build large, realistic incident data in bulk (run seed_demo first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--incidents", type=int, required=True, help="How many incidents to add.")
        parser.add_argument("--chunk", type=int, default=20_000, help="Rows per COPY round.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (same seed, same data).")

    def handle(self, *args, incidents: int, chunk: int, seed: int, **options) -> None:
        if incidents <= 0 or chunk <= 0:
            raise CommandError("--incidents and --chunk must be positive.")
        started = time.monotonic()
        try:
            written = seed_incidents(incidents, chunk=chunk, seed=seed, progress=self._progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(f"{written:,} incidents in {elapsed:.1f} s ({written / elapsed:,.0f}/s)")

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
        sys.stderr.flush()
