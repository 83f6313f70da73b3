import importlib.util
import logging
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import timezone

from core.models import Heartbeat
from core.startup import QuietWhileStarting
from devtools.localservers import RedisServer
from devtools.ports import free_port
from tests.processes import ROOT

pytestmark = pytest.mark.django_db


def test_it_is_healthy_when_every_part_answers(client):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "beat": "ok", "delivery": "ok"}


def test_it_names_the_broker_when_it_is_down(client, settings):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now())
    broker = RedisServer().start()
    settings.CELERY_BROKER_URL = broker.url
    assert client.get("/healthz").status_code == 200
    broker.destroy()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error: ConnectionError", "beat": "ok", "delivery": "ok"}


def test_it_names_beat_when_its_heartbeat_is_stale(client):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "beat": "error: last heartbeat 600 s ago",
        "delivery": "ok",
    }


def test_it_names_beat_before_its_first_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == "error: no heartbeat yet"


def test_liveness_answers_without_asking_the_database_or_the_broker(client, settings, django_assert_num_queries):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert (response.status_code, response.json()) == (200, {"live": "ok"})


def test_readiness_asks_the_database_and_the_broker_but_not_beat(client, settings):
    # No beat heartbeat at all: /healthz is 503, yet the pod can serve.
    assert client.get("/healthz").status_code == 503
    response = client.get("/healthz/ready")
    assert (response.status_code, response.json()) == (200, {"database": "ok", "broker": "ok"})
    broker = RedisServer().start()
    settings.CELERY_BROKER_URL = broker.url
    broker.destroy()
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error: ConnectionError"}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/live", "/healthz/ready"])
def test_the_probes_are_exempt_from_the_https_redirect(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code in (200, 503)
    assert client.get("/dashboard/").status_code == 301


def request_log(path: str, status: int) -> logging.LogRecord:
    """The record django.request writes for a 5xx answer."""
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable: %s", (path,), None)
    record.status_code, record.request = status, RequestFactory().get(path)
    return record


def test_a_healthz_503_while_the_web_process_starts_is_logged_at_info_not_error():
    record = request_log("/healthz", 503)
    assert QuietWhileStarting(grace_s=3600).filter(record) is True
    assert (record.levelname, record.getMessage()) == ("INFO", "503 while starting: /healthz")


def test_a_healthz_503_once_started_and_other_errors_stay_errors():
    records = [request_log("/healthz", 503), request_log("/admin/", 503), request_log("/healthz", 500)]
    assert QuietWhileStarting(grace_s=0).filter(records[0]) is True
    assert [QuietWhileStarting(grace_s=3600).filter(r) for r in records[1:]] == [True, True]
    assert [r.levelname for r in records] == ["ERROR", "ERROR", "ERROR"]


def test_the_logging_configuration_puts_the_filter_on_django_request():
    filters = logging.getLogger("django.request").filters
    assert [(type(f).__name__, f.grace_s) for f in filters] == [("QuietWhileStarting", 60.0)]


def dockerfile_healthcheck() -> str:
    """The shell command of the image's HEALTHCHECK (Docker runs it with /bin/sh -c in /app)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return re.search(r"^HEALTHCHECK .*? CMD (.+)$", text, flags=re.MULTILINE).group(1).strip()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_images_healthcheck_passes_with_production_settings(process_env, start_process):
    Heartbeat.objects.create(name="beat", seen_at=timezone.now())
    port = free_port()
    production = {
        **process_env,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "muster.example.com,.muster.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "PATH": f"{Path(sys.executable).parent}:{process_env['PATH']}",  # `python` is this one
    }
    argv = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    web = start_process(argv, production, "web")
    web.wait_for_output(r"Booting worker", timeout=30)
    command = dockerfile_healthcheck().replace("8000", str(port))

    def check(env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True)

    deadline = time.monotonic() + 30
    while (result := check(production)).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert (result.returncode, result.stderr) == (0, "")
    # Healthy means healthy: with beat silent it fails, saying why.
    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(hours=1))
    result = check(production)
    assert result.returncode == 1
    assert result.stderr.startswith("healthcheck: /healthz answered 503 for Host muster.example.com: ")


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("muster.example.com", "muster.example.com"),
        (" .example.org, x", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_the_healthcheck_probes_with_a_host_django_accepts(allowed, host):
    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "config" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.probe_host(allowed) == host
