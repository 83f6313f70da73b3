"""API tokens: hashed at rest, one guild each, scopes, expiry, revocation, rate limit, CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ApiToken
from tests.api.conftest import caller_for, error

pytestmark = pytest.mark.django_db


def test_it_keeps_only_a_prefix_and_a_keyed_hash_of_the_token(api):
    row = ApiToken.objects.get(id=api.token.id)
    assert api.secret.startswith(f"mst_{row.prefix}_")
    assert len(row.digest) == 64
    assert api.secret not in (row.digest, row.prefix, row.name)
    assert api.secret.split("_", 2)[2] not in row.digest


def test_it_lists_exactly_the_tokens_guild(api, cast):
    response = api.get("/api/v1/guilds")
    assert response.status_code == 200
    assert [guild["id"] for guild in response.json()] == [str(cast.guild.id)]
    assert response.json()[0]["name"] == "Muster HQ"


def test_another_guild_answers_404_as_if_it_did_not_exist(api, cast):
    response = api.get(f"/api/v1/guilds/{cast.outsider.guild_id}")
    assert response.status_code == 404
    assert error(response) == {"detail": "There is no such guild for this token.", "errors": []}


def test_a_request_without_a_token_is_401_with_the_way_to_send_one(db):
    response = Client().get("/api/v1/guilds")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="muster"'
    assert error(response)["detail"] == "Send an API token: Authorization: Bearer <token>."


@pytest.mark.parametrize(
    "header",
    ["Bearer mst_00000000_wrongwrongwrongwrongwrong", "Bearer nonsense", "Basic YWRtaW46YWRtaW4="],
)
def test_a_wrong_token_is_401(api, header):
    forged = header.replace("00000000", api.token.prefix)
    response = Client(headers={"Authorization": forged}).get("/api/v1/guilds")
    assert response.status_code == 401
    assert error(response)["detail"] in {
        "This API token is not valid: send Authorization: Bearer <token>.",
        "Send an API token: Authorization: Bearer <token>.",
    }


def test_an_expired_token_is_401(cast):
    caller = caller_for(cast.guild, lifetime=timedelta(days=1))
    ApiToken.objects.filter(id=caller.token.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = caller.get("/api/v1/guilds")
    assert response.status_code == 401
    assert error(response)["detail"] == "This API token has expired: ask an organiser for a new one."


def test_a_revoked_token_is_401_at_once(api):
    call_command("api_token", "revoke", api.token.prefix)
    response = api.get("/api/v1/guilds")
    assert response.status_code == 401
    assert error(response)["detail"] == "This API token was revoked: ask an organiser for a new one."


def test_a_read_token_may_not_write(cast):
    reader = caller_for(cast.guild, scopes=("read",))
    assert reader.get(reader.url("/events")).status_code == 200
    response = reader.send("POST", reader.url("/events"), {"title": "x"})
    assert response.status_code == 403
    assert error(response)["detail"] == "This API token has no 'write' scope; ask an organiser for one that has."


def test_a_write_only_token_may_not_read(cast):
    writer = caller_for(cast.guild, scopes=("write",))
    response = writer.get(writer.url("/events"))
    assert response.status_code == 403
    assert error(response)["detail"] == "This API token has no 'read' scope; ask an organiser for one that has."


def test_it_records_when_a_token_was_last_used_to_the_minute(api):
    assert api.token.last_used_at is None
    api.get("/api/v1/guilds")
    used = ApiToken.objects.get(id=api.token.id).last_used_at
    assert used is not None and used.second == 0 and used.microsecond == 0
    assert timezone.now() - used < timedelta(minutes=1)


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_past_the_rate_limit_it_answers_429_with_retry_after(api, elsewhere):
    statuses = [api.get("/api/v1/guilds").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/guilds")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert error(response)["detail"] == (
        f"This API token made more than 3 requests this minute: try again in {response['Retry-After']} s."
    )
    assert elsewhere.get("/api/v1/guilds").status_code == 200  # another token has its own count


def test_the_command_prints_a_working_token_once(cast, capsys):
    call_command("api_token", "create", "--guild", str(cast.guild.id), "--scopes", "read,write", "--expires", "90d")
    out, err = capsys.readouterr()
    secret = out.strip()
    row = ApiToken.objects.get()
    assert secret.startswith(f"mst_{row.prefix}_")
    assert err.startswith(f"Token {row.prefix} for Muster HQ, scopes read,write, expires ")
    assert row.scopes == ["read", "write"]
    assert timedelta(days=89, hours=23) < row.expires_at - timezone.now() <= timedelta(days=90)
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/guilds")
    assert response.status_code == 200
    call_command("api_token", "list", "--guild", str(cast.guild.id))
    listed = capsys.readouterr().out
    assert row.prefix in listed and secret not in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--guild", "12"], r"^No guild '12': give the guild's Discord id \(the admin lists them under Guilds\)\.$"),
        (["--scopes", "admin"], r"^Unknown scope 'admin': use read, write or read,write\.$"),
        (["--expires", "3 months"], r"^I could not read the expiry '3 months': write a number of days such as 90d\.$"),
        (["--expires", "400d"], r"^A token lasts 1 to 365 days; 400d is outside that\.$"),
    ],
)
def test_the_command_refuses_bad_input_in_one_line(cast, args, message):
    base = {"--guild": str(cast.guild.id)}
    argv = ["api_token", "create", *[part for pair in base.items() for part in pair if pair[0] not in args], *args]
    with pytest.raises(CommandError, match=message):
        call_command(*argv)
    assert ApiToken.objects.count() == 0


def test_the_admin_shows_a_new_token_once_and_it_works(cast, client):
    from tests.factories import SuperuserFactory

    client.force_login(SuperuserFactory())
    response = client.post(
        "/admin/api/apitoken/add/",
        {"guild": cast.guild.id, "name": "Zapier", "scope_choices": ["read"], "lifetime": "30d"},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    row = ApiToken.objects.get()
    start = text.index(f"mst_{row.prefix}_")
    secret = text[start : start + 100].split("<")[0].split()[0]
    assert row.name == "Zapier" and row.scopes == ["read"]
    assert Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/guilds").status_code == 200
    again = client.get(f"/admin/api/apitoken/{row.id}/change/").content.decode()
    assert secret not in again


def test_the_admin_refuses_an_unreadable_expiry_as_a_form_error(cast, client):
    from tests.factories import SuperuserFactory

    client.force_login(SuperuserFactory())
    response = client.post(
        "/admin/api/apitoken/add/",
        {"guild": cast.guild.id, "name": "Zapier", "scope_choices": ["read"], "lifetime": "soon"},
    )
    assert response.status_code == 200
    assert (
        "I could not read the expiry &#x27;soon&#x27;: write a number of days such as 90d." in response.content.decode()
    )
    assert ApiToken.objects.count() == 0
