"""CSRF on every form, secure session cookies, a rate-limited login, logout by POST."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from .conftest import CSRF, csrf_post, log_in

pytestmark = pytest.mark.django_db


def test_session_and_csrf_cookies_are_secure_http_only_and_lax(world):
    client = log_in(world, "olivia")
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert (bool(session["secure"]), bool(session["httponly"]), session["samesite"]) == (True, True, "Lax")
    client.get("/admin/events/event/add/")
    csrf = client.cookies["csrftoken"]
    assert (bool(csrf["secure"]), csrf["samesite"]) == (True, "Lax")


def test_every_form_needs_its_csrf_token(world):
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/accounts/discord/login/").status_code == 403
    client = log_in(world, "olivia")
    event_form = {"guild": world.cast.guild.pk, "title": "No token"}
    assert client.post("/admin/events/event/add/", event_form).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/dashboard/").status_code == 200  # still logged in


def test_logging_out_is_a_post_with_its_token(world):
    client = log_in(world, "alice")
    confirm = client.get("/accounts/logout/")
    assert confirm.status_code == 200 and CSRF.search(confirm.content.decode())
    assert client.get("/dashboard/").status_code == 200
    assert csrf_post(client, "/accounts/logout/", {}, page="/dashboard/").status_code == 302
    assert client.get("/dashboard/")["Location"] == "/accounts/discord/login/?next=/dashboard/"


def test_the_login_is_rate_limited_per_address(world, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")
    page = client.get("/accounts/discord/login/")
    token = CSRF.search(page.content.decode()).group(1)
    answers = [client.post("/accounts/discord/login/", {"csrfmiddlewaretoken": token}).status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.8")
    other_token = CSRF.search(other.get("/accounts/discord/login/").content.decode()).group(1)
    assert other.post("/accounts/discord/login/", {"csrfmiddlewaretoken": other_token}).status_code == 302


def test_the_default_rate_allows_thirty_login_steps_a_minute():
    assert settings.ACCOUNT_RATE_LIMITS["login"] == "30/m/ip"
    assert re.fullmatch(r"\d+/m/ip,\d+/5m/key", settings.ACCOUNT_RATE_LIMITS["login_failed"])
