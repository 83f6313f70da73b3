"""LOG_FORMAT=json: one JSON object per line, with the ids known, never a token."""

from __future__ import annotations

import contextlib
import io
import json
import logging

import pytest
from django.test import Client

from config.logfilters import JsonFormatter, RedactInteractionTokens
from tests.e2e.conftest import wait_until

TOKEN = "aW50ZXJhY3Rpb246MTU3NzQ0MDIxNTY5NjUzOTY0ODpzZWNyZXQ"


def json_lines(text: str) -> list[dict]:
    """Every line as JSON; a line that is not fails the test naming it."""
    entries = []
    for line in text.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    return entries


@pytest.fixture
def json_console():
    """The console handler as LOG_FORMAT=json builds it, writing into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactInteractionTokens())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_the_setting_picks_the_json_formatter(settings):
    from config import settings as config_settings

    assert config_settings.LOGGING["formatters"]["json"] == {"()": "config.logfilters.JsonFormatter"}
    assert settings.LOGGING["handlers"]["console"]["formatter"] in {"plain", "json"}


@pytest.mark.django_db
def test_a_web_request_s_lines_carry_its_request_id_and_no_calendar_token(json_console):
    # A 404 for a calendar link: Django logs "Not Found: <path>", the path holding the link's token
    response = Client().get("/calendar/3q2-7wEa_Gx5lGPNuWmk0nCzYbq1OKdLr8m0TjAXo9s.ics", secure=True)

    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    lines = [e for e in json_lines(json_console.getvalue()) if e["logger"] == "django.request"]
    assert [e["message"] for e in lines] == ["Not Found: /calendar/<token>.ics"]
    assert lines[0]["request_id"] == request_id and len(request_id) == 32


@pytest.mark.django_db
def test_a_proxy_s_request_id_is_kept_and_a_client_s_junk_replaced(json_console):
    kept = Client().get("/healthz", secure=True, HTTP_X_REQUEST_ID="proxy-4f1c9a2e")
    replaced = Client().get("/healthz", secure=True, HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert kept["X-Request-ID"] == "proxy-4f1c9a2e"
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>" and len(replaced["X-Request-ID"]) == 32


def test_a_traceback_s_token_is_masked_too(json_console):
    try:
        raise RuntimeError(f"POST /webhooks/1/{TOKEN}/messages failed, token {TOKEN}")
    except RuntimeError:
        logging.getLogger("muster.test").exception("it failed for %s", TOKEN)
    [entry] = json_lines(json_console.getvalue())
    assert entry["message"] == "it failed for <token>"
    assert "RuntimeError: POST /webhooks/1/<token>/messages failed, token <token>" in entry["exception"]
    assert TOKEN not in json_console.getvalue()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_worker_and_the_gateway_log_json_lines_with_the_ids_and_no_token(discord, world, start_gateway, start_worker):
    # Given a worker and the gateway at LOG_FORMAT=json, DEBUG
    env = {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"}
    worker = start_worker(env=env)
    gateway = start_gateway(env=env)

    # When alice runs /muster ping and clicks its button
    ping = discord.ping(world)
    message = discord.control.wait_for_original_edit(ping["id"], timeout=15)["original"]
    click = discord.control.inject_component(message_id=message["id"], custom_id="muster:ping", user_id=world.member_id)
    discord.control.wait_for_response(click["id"], timeout=3)
    wait_until(lambda: len(discord.control.message(message["id"])["history"]) >= 2, what="the click's edit")

    def succeeded(ix) -> bool:  # Celery's own line of that interaction's task (other tasks succeed too)
        entries = []
        for line in worker.output().splitlines():
            with contextlib.suppress(ValueError):  # the last line may still be being written
                entries.append(json.loads(line))
        ran = [e["task_id"] for e in entries if e["message"].startswith(f"interaction {ix['id']} ")]
        return bool(ran) and any(e.get("task_id") == ran[0] and "succeeded" in e["message"] for e in entries)

    wait_until(lambda: succeeded(ping) and succeeded(click), what="both interaction tasks' success lines")

    # Then every line of both is a JSON object, and none holds a token
    for process in (worker, gateway):
        text = process.output()
        entries = json_lines(text)
        assert {"time", "level", "logger", "message"} <= set(entries[0])
        for token in (ping["token"], click["token"]):
            assert token not in text, f"{process.name} logged a token"
    # and the worker's lines of each interaction's task carry the task, interaction and guild ids
    entries = json_lines(worker.output())
    for ix in (ping, click):
        [ran] = [e for e in entries if e["message"].startswith(f"interaction {ix['id']} ")]
        assert ran["message"].endswith(": ok")
        assert (ran["interaction_id"], ran["guild_id"]) == (int(ix["id"]), world.guild_id)
        task_lines = [e for e in entries if e.get("task_id") == ran["task_id"]]
        assert any("succeeded" in e["message"] for e in task_lines)  # Celery's own line names the task too
    assert all("interaction_id" not in e for e in entries if "ready." in e["message"])
