"""Start Flower read-only, refusing to expose the queues without credentials outside DEBUG.

Flower's API can send any task (``/api/task/send-task/<name>``, ``apply``, ``async-apply``),
revoke or abort tasks, change their limits, and shut down or resize workers. Muster's Flower
is for looking only: those endpoints answer 403 whatever the credentials (workers would also
refuse a forged interaction, see core.interactions.signing; this closes the rest). Flower
runs in this process, as ``celery flower`` would, with those routes put in front of its own.
"""

import atexit
import contextlib
import os
import re
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from flower import command as flower_command
from flower.app import Flower
from flower.options import options
from flower.urls import settings as flower_settings
from tornado.web import RequestHandler

from config import env
from config.env import SettingError

CREDENTIALS = re.compile(r"^[^:,\s]+:[^,\s]+(,[^:,\s]+:[^,\s]+)*$")

# Every Flower route that changes something (under any --url_prefix).
REFUSED_ROUTES = [
    r".*/api/task/(?:send-task|apply|async-apply|abort|revoke|timeout|rate-limit)(?:/.*)?",
    r".*/api/worker/(?:shutdown|pool|queue)(?:/.*)?",
]
REFUSED = "Muster's Flower is read-only: sending, revoking and controlling tasks or workers is disabled"


class Refused(RequestHandler):
    """403 for every method: nothing is sent, revoked or shut down through Flower."""

    def check_xsrf_cookie(self):
        pass  # refused below either way, with a sentence instead of Tornado's XSRF page

    def prepare(self):
        self.set_status(403)
        self.finish({"error": REFUSED})


class ReadOnlyFlower(Flower):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Host rules added later are matched before the ones given at construction.
        self.add_handlers(r".*", [(route, Refused) for route in REFUSED_ROUTES])


class Command(BaseCommand):
    help = "Run Flower read-only behind basic auth (FLOWER_BASIC_AUTH=user:password[,user:password])."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=5555)
        parser.add_argument("--address", default="127.0.0.1", help="0.0.0.0 to listen on every interface")

    def handle(self, *args, port, address, **options_):
        try:
            credentials = env.string("FLOWER_BASIC_AUTH") or ""  # or FLOWER_BASIC_AUTH_FILE
        except SettingError as exc:
            raise CommandError(str(exc)) from None
        if credentials and not CREDENTIALS.match(credentials):
            raise CommandError("FLOWER_BASIC_AUTH must look like user:password (comma-separated for more)")
        if not credentials and not settings.DEBUG:
            raise CommandError("FLOWER_BASIC_AUTH is required: Flower shows every task and its arguments")
        # Flower reads its options from FLOWER_* variables of this process (never its argv,
        # so the password stays out of the process list).
        os.environ.pop("FLOWER_BASIC_AUTH_FILE", None)
        if credentials:
            os.environ["FLOWER_BASIC_AUTH"] = credentials
        run_flower([f"--port={port}", f"--address={address}"])


def run_flower(argv: list[str]) -> None:
    """What ``celery -A config flower <argv>`` does (flower.command.flower), with ReadOnlyFlower."""
    from config.celery_app import app

    flower_command.apply_env_options()
    flower_command.apply_options(sys.argv[0], argv)
    flower_command.extract_settings()
    flower_command.setup_logging()
    flower = ReadOnlyFlower(capp=app, options=options, **flower_settings)
    atexit.register(flower.stop)
    signal.signal(signal.SIGTERM, flower_command.sigterm_handler)
    port = flower.start_http_server()
    flower_command.print_banner(app, "ssl_options" in flower_settings, port)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        flower.start()
