"""`manage.py create_api_token USERNAME --name NAME [--scope S ...] [--days N]`: a key for a script."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from itsm.api import scopes as scope_rules
from itsm.api.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user and print the key once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            help="read, write, or <area>:read / <area>:write; repeat for several (default: read and write).",
        )
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days.")

    def handle(self, *args, username: str, name: str, scopes: list[str] | None, days: int | None, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}.")
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number.")
        try:
            chosen = scope_rules.normalise(scopes or ["read", "write"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        expires_at = timezone.now() + timedelta(days=days) if days else None
        _, key = ApiToken.issue(user, name, expires_at=expires_at, scopes=chosen)
        self.stdout.write(key)
