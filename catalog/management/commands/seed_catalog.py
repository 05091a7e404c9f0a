"""`manage.py seed_catalog --catalog-items 500 --request-items 1000000`: bulk catalog data for
benchmarks (PostgreSQL: COPY). Run `seed_demo` first."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from catalog.seeding import seed_catalog


class Command(BaseCommand):
    help = "Build a large catalog and request history in bulk (run seed_demo first)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--catalog-items", type=int, default=500)
        parser.add_argument("--request-items", type=int, default=1_000_000)
        parser.add_argument("--chunk", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, catalog_items: int, request_items: int, chunk: int, seed: int, **options) -> None:
        if catalog_items < 0 or request_items < 0 or chunk <= 0:
            raise CommandError("Counts must not be negative and --chunk must be positive.")
        started = time.monotonic()
        try:
            written = seed_catalog(
                catalog_items, request_items, chunk=chunk, seed=seed, progress=self._progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{catalog_items:,} catalog items and {written:,} requested items in {elapsed:.1f} s"
        )

    def _progress(self, done: int, total: int) -> None:
        sys.stderr.write(f"\r{done:,}/{total:,} requested items")
        sys.stderr.flush()
