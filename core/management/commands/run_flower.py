"""Start Flower, refusing to expose the queues without credentials outside DEBUG."""

import os
import re
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

CREDENTIALS = re.compile(r"^[^:,\s]+:[^,\s]+(,[^:,\s]+:[^,\s]+)*$")


class Command(BaseCommand):
    help = "Run Flower behind basic auth (FLOWER_BASIC_AUTH=user:password[,user:password])."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=5555)
        parser.add_argument("--address", default="127.0.0.1", help="0.0.0.0 to listen on every interface")

    def handle(self, *args, port, address, **options):
        credentials = os.environ.get("FLOWER_BASIC_AUTH", "")
        if credentials and not CREDENTIALS.match(credentials):
            raise CommandError("FLOWER_BASIC_AUTH must look like user:password (comma-separated for more)")
        if not credentials and not settings.DEBUG:
            raise CommandError("FLOWER_BASIC_AUTH is required: Flower shows every task and its arguments")
        # Flower reads FLOWER_BASIC_AUTH from the environment itself, so the password
        # never appears in the process list.
        argv = [sys.executable, "-m", "celery", "-A", "config", "flower", f"--port={port}", f"--address={address}"]
        os.execv(sys.executable, argv)
