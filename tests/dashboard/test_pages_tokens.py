"""The API tokens page: a token made on the dashboard is shown once, stored hashed, revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from core.models import OrganiserAction

from .conftest import csrf_post, log_in

pytestmark = pytest.mark.django_db


def tokens_url(world, guild=None) -> str:
    return f"/dashboard/g/{(guild or world.cast.guild).id}/tokens/"


def test_it_creates_a_token_shown_once_and_stored_hashed(world):
    olivia = log_in(world, "olivia")
    page = csrf_post(
        olivia, tokens_url(world), {"name": "Club website", "scopes": ["read", "write"], "lifetime": "30d"}
    )
    assert page.status_code == 200
    token = page.context["token"]
    row = ApiToken.objects.get()
    assert (row.guild_id, row.name, row.scopes, row.created_by_id) == (
        world.cast.guild.id,
        "Club website",
        ["read", "write"],
        page.wsgi_request.user.pk,
    )
    assert token.startswith(f"mst_{row.prefix}_") and row.digest == tokens.digest(token) != token
    assert timedelta(days=30) - (row.expires_at - timezone.now()) < timedelta(minutes=1)
    assert token in page.content.decode()
    assert tokens.authenticate(token, now=timezone.now()) == row
    again = olivia.get(tokens_url(world)).content.decode()
    assert token not in again and row.prefix in again


def test_a_bad_lifetime_is_a_form_error(world):
    page = csrf_post(log_in(world, "olivia"), tokens_url(world), {"name": "x", "scopes": ["read"], "lifetime": "900d"})
    assert page.status_code == 400
    assert page.context["form"].errors == {"lifetime": ["A token lasts 1 to 365 days; 900d is outside that."]}
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_of_its_guild(world):
    row, _ = tokens.create_token(
        tokens.TokenRequest(world.cast.guild, "cron", ("read",), timedelta(days=5)), now=timezone.now()
    )
    olivia = log_in(world, "olivia")
    done = csrf_post(olivia, f"{tokens_url(world)}{row.id}/revoke/", {}, page=tokens_url(world))
    assert (done.status_code, done["Location"]) == (302, tokens_url(world))
    row.refresh_from_db()
    assert row.revoked_at is not None
    again = csrf_post(olivia, f"{tokens_url(world)}{row.id}/revoke/", {}, page=tokens_url(world))
    assert again.status_code == 302
    logged = OrganiserAction.objects.values_list("guild_id", "member_id", "action", "target")
    assert list(logged) == [
        (
            world.cast.guild.id,
            world.cast.organiser.member_id,
            "revoked API token",
            f"cron ({row.prefix}…) (API token {row.id})",
        )
    ]  # once: the second revoke changed nothing


def test_outsiders_get_404_for_the_page_and_for_another_guilds_token(world):
    theirs, _ = tokens.create_token(
        tokens.TokenRequest(world.cast.outsider.guild, "theirs", ("read",), timedelta(days=5)), now=timezone.now()
    )
    for name in ("otto", "oscar", "alice"):
        client = log_in(world, name)
        assert client.get(tokens_url(world)).status_code == 404, name
        page = csrf_post(
            client, tokens_url(world), {"name": "x", "scopes": ["read"], "lifetime": "5d"}, page="/dashboard/"
        )
        assert page.status_code == 404, name
    olivia = log_in(world, "olivia")
    wrong = csrf_post(olivia, f"{tokens_url(world)}{theirs.id}/revoke/", {}, page=tokens_url(world))
    assert wrong.status_code == 404
    assert olivia.get(tokens_url(world, world.cast.outsider.guild)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_a_post_without_the_csrf_token_is_refused(world):
    olivia = log_in(world, "olivia")  # log_in's client enforces CSRF checks
    assert isinstance(olivia, Client)
    page = olivia.post(tokens_url(world), {"name": "x", "scopes": ["read"], "lifetime": "5d"})
    assert page.status_code == 403
    assert not ApiToken.objects.exists()


def test_the_same_form_sent_twice_makes_one_token_and_shows_it_once(world):
    olivia = log_in(world, "olivia")
    submission = olivia.get(tokens_url(world)).context["form"].initial["submission"]
    data = {"name": "Club website", "scopes": ["read"], "lifetime": "30d", "submission": submission}
    first = csrf_post(olivia, tokens_url(world), data)
    assert first.context["token"].startswith("mst_")
    again = csrf_post(olivia, tokens_url(world), data)
    assert (again.status_code, again["Location"]) == (302, tokens_url(world))
    shown = olivia.get(tokens_url(world))
    assert shown.context["token"] is None
    assert [str(m) for m in shown.context["messages"]] == [
        "This form was already sent: its token was made once and shown then."
    ]
    assert ApiToken.objects.count() == 1
