"""Recompute the Requests board's daily rollup from the live tables (after an import, a restore,
a TIME_ZONE change, or a changed delivery time that should apply to history)."""

import time

from django.core.management.base import BaseCommand

from catalog import rollups


class Command(BaseCommand):
    help = "Rebuild the Requests board's daily rollup from the requested items and their approvals."

    def handle(self, *args, **options):
        started = time.monotonic()
        days = rollups.rebuild()
        self.stdout.write(f"Rebuilt {days} days of the request rollup in {time.monotonic() - started:.1f} s.")
