"""``python manage.py restore --input FILE [--replace]``: a backup into the configured database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups
from core.errors import RuleError


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into the configured (empty) database."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path, help="The backup file.")
        parser.add_argument(
            "--replace", action="store_true", help="Drop what the database holds first (else it must be empty)."
        )

    def handle(self, *args, input: Path, replace: bool, **options):
        try:
            backups.restore(input, replace=replace)
        except RuleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {input}.")
