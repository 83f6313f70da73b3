"""``python manage.py backup --output FILE``: the whole database into one file (core.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core import backups
from core.errors import RuleError


class Command(BaseCommand):
    help = "Back up Muster's database into one file (PostgreSQL: pg_dump custom format; SQLite: a copy)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="The file to write (overwritten).")

    def handle(self, *args, output: Path, **options):
        try:
            kind = backups.backup(output)
        except RuleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up to {output} ({kind}, {output.stat().st_size} bytes).")
