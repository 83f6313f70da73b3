"""SENTRY_DSN: errors reach the DSN's server, with neither an interaction token nor an anonymous choice.

Sentry is initialised in a child process (a real one, pointed at a local envelope server),
so this test process's logging and exception hooks stay untouched.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.processes import ROOT

pytestmark = pytest.mark.timeout(90)

TOKEN = "aW50ZXJhY3Rpb246MTU3NzQ0MDIxNTY5NjUzOTY0ODpzZWNyZXQtdG9rZW4"
CHOICE = "Secret-choice-Bananas"

CHILD = textwrap.dedent(
    """
    import logging, os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    django.setup()
    import sentry_sdk
    from config.celery_app import app
    from core.interactions import signing
    from core.interactions.tasks import handle_interaction

    TOKEN, CHOICE = os.environ.pop("TEST_TOKEN"), os.environ.pop("TEST_CHOICE")
    app.conf.task_always_eager = False
    # A signed payload a worker cannot rebuild (no member): the task fails with it as argument,
    # an anonymous vote's choice in its values.
    payload = signing.sign({"v": 1, "id": 1577440215696539648, "token": TOKEN, "application_id": 1,
                            "kind": "component", "custom_id": "poll:vote:1:2", "values": [CHOICE]})
    handle_interaction.apply((payload,))

    def handler(interaction_token=TOKEN, vote=CHOICE):
        logging.getLogger("core.interactions.dispatcher").warning("answering %s/%s", "/webhooks/1/" + TOKEN, "x")
        raise ValueError("a failure inside a handler")

    try:
        handler()
    except ValueError:
        logging.getLogger("core.interactions.dispatcher").exception("interaction 1577440215696539648 failed")
    sentry_sdk.flush(10)
    print("flushed")
    """
)


class Envelopes(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.append((self.path, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    Envelopes.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Envelopes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_an_error_with_a_token_and_an_anonymous_choice_in_scope_reaches_sentry_without_either(sentry_server):
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "true",
        "DATABASE_URL": "sqlite:///:memory:",
        "INTERACTION_SIGNING_KEY": "sentry-test-signing-key",
        "TEST_TOKEN": TOKEN,
        "TEST_CHOICE": CHOICE,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{sentry_server.server_port}/1",
    }
    child = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0 and "flushed" in child.stdout, child.stderr[-3000:]

    paths = {path for path, _ in Envelopes.received}
    assert paths == {"/api/1/envelope/"}
    sent = b"\n".join(body for _, body in Envelopes.received).decode()
    # The task's failure (KeyError: 'member') and the handler's exception both arrived...
    assert "KeyError" in sent and "ValueError" in sent and "a failure inside a handler" in sent
    assert "handle_interaction" in sent
    # ...and neither the token nor the choice, anywhere (arguments, locals, breadcrumbs, messages)
    assert TOKEN not in sent
    assert CHOICE not in sent
    assert "/webhooks/1/<token>" in sent  # the breadcrumb of the warning, redacted


def test_before_send_drops_what_could_hold_a_payload_and_redacts_the_rest():
    from config.sentry import before_send

    event = {
        "request": {"url": "https://muster.example/discord/interactions", "data": {"token": TOKEN}, "headers": {}},
        "extra": {"celery-job": {"task_name": "handle_interaction", "args": [{"values": [CHOICE]}], "kwargs": {}}},
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "value": f"POST /webhooks/1/{TOKEN}/messages",
                    "stacktrace": {"frames": [{"function": "handler", "vars": {"vote": CHOICE}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": f"token {TOKEN}"}]},
    }
    sent = repr(before_send(event, {}))
    assert TOKEN not in sent and CHOICE not in sent
    assert "ValueError" in sent and "/webhooks/1/<token>/messages" in sent and "handle_interaction" in sent
