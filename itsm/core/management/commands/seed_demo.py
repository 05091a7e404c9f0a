"""`manage.py seed_demo`: demo teams, people for every role, services and CIs. Safe to re-run."""

from django.core.management.base import BaseCommand

from itsm.core.demo import DEMO_PASSWORD, PEOPLE, seed_demo


class Command(BaseCommand):
    help = "Create or refresh demo data (idempotent)."

    def handle(self, *args, **options) -> None:
        counts = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['users']} people, {counts['teams']} teams, "
                f"{counts['organisations']} organisations."
            )
        )
        if options["verbosity"] >= 2:
            for person in PEOPLE[:6]:
                self.stdout.write(f"  {person.username} / {DEMO_PASSWORD}  ({', '.join(person.roles)})")
