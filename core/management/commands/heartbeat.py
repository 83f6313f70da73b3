"""``python manage.py heartbeat --check beat|worker --max-age 180``: an exec liveness probe.

Exit 0 when the heartbeat is younger than ``--max-age`` seconds, else 1; one line either way.
``--check worker`` looks at this host's workers (``worker:<name>@<hostname>``, as ``-n name@%h``
names them, so in a pod: its own), ``--any`` at every worker's.
"""

import socket
import sys

from django.core.management.base import BaseCommand

from core import health


class Command(BaseCommand):
    help = "Exit 0 if beat's or a worker's heartbeat is fresh, else 1 (Kubernetes' exec liveness probe)."

    def add_arguments(self, parser):
        parser.add_argument("--check", required=True, choices=["beat", "worker"], help="Whose heartbeat.")
        parser.add_argument("--max-age", type=int, default=180, help="Seconds a heartbeat stays fresh (180).")
        parser.add_argument("--any", action="store_true", help="worker: any worker's, not only this host's.")

    def handle(self, *args, check: str, max_age: int, any: bool, **options):
        if check == "beat":
            who, verdict = "beat", self.verdict(health.check_heartbeat, "beat", max_age)
        elif any:
            who, verdict = "any worker", self.verdict(health.check_any_heartbeat, "worker:", max_age)
        else:
            host = socket.gethostname()
            who = f"the workers of {host}"
            verdict = self.verdict(health.check_any_heartbeat_on_host, host, max_age)
        if verdict == "ok":
            self.stdout.write(f"{who}: heartbeat fresh (under {max_age} s)")
            return
        self.stdout.write(f"{who}: {verdict}")
        sys.exit(1)

    @staticmethod
    def verdict(check, name: str, max_age: int) -> str:
        try:
            return check(name, max_age)
        except Exception as exc:  # the database unreachable: not alive as far as anyone can tell
            return f"error: {type(exc).__name__}"
