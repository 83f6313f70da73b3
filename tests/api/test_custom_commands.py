"""Custom commands through the API: community's rules and sentences, one guild per token."""

from __future__ import annotations

import pytest

from community.models import CustomCommand, GuildCommandSync
from tests.api.conftest import error

pytestmark = pytest.mark.django_db


def rules(**fields) -> dict:
    return {"name": "rules", "description": "The server's rules", "content": "Be kind, {member}.", **fields}


def create(api, **fields):
    return api.send("POST", api.url("/custom-commands"), rules(**fields))


def test_it_creates_a_command_and_a_slash_one_is_queued_for_registration(api, cast):
    response = create(api, slash_command=True, allowed_role_ids=["555000000000000001"], cooldown_seconds=30)
    assert response.status_code == 201
    body = response.json()
    command = CustomCommand.objects.get()
    assert (body["id"], body["name"], body["content"]) == (command.id, "rules", "Be kind, {member}.")
    assert (body["allowed_role_ids"], body["cooldown_seconds"], body["slash_command"]) == (
        ["555000000000000001"],
        30,
        True,
    )
    assert body["embed"] is None and body["slash_registered_at"] is None
    assert GuildCommandSync.objects.filter(guild=cast.guild, due_at__isnull=False).count() == 1


def test_an_embed_is_checked_and_stored_as_discord_takes_it(api):
    embed = {"title": "Rules", "colour": "#5865F2", "fields": [{"name": "1", "value": "Be kind"}]}
    body = create(api, content="", embed=embed).json()
    assert body["embed"] == {
        "title": "Rules",
        "description": "",
        "colour": 0x5865F2,
        "fields": [{"name": "1", "value": "Be kind"}],
        "image_url": "",
    }


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"name": "Event"}, "/event is one of Muster's own commands; choose another name."),
        (
            {"name": "two words"},
            "'two words' cannot be a command name: use 1 to 32 lowercase letters, digits, - or _ (no spaces).",
        ),
        ({"content": ""}, "Give the response some text or an embed title or description."),
        ({"embed": {"title": "x", "colour": "blue"}}, "The colour 'blue' is not a hex value such as #5865F2."),
        (
            {"embed": {"title": "x", "fields": [{"name": str(n), "value": "v"} for n in range(6)]}},
            "The embed has 6 fields; at most 5 are allowed.",
        ),
    ],
)
def test_a_rule_refusal_is_422_with_the_sentence(api, fields, detail):
    response = create(api, **fields)
    assert response.status_code == 422
    assert error(response) == {"detail": detail, "errors": [{"loc": ["body"], "msg": detail, "type": "rule"}]}
    assert CustomCommand.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"description": "x" * 101}, ["body", "description"]),
        ({"cooldown_seconds": 86_401}, ["body", "cooldown_seconds"]),
        ({"allowed_role_ids": ["admins"]}, ["body", "allowed_role_ids", 0]),
        ({"content": "\x00"}, ["body", "content"]),
    ],
)
def test_a_value_outside_the_schema_is_422_naming_it(api, fields, loc):
    response = create(api, **fields)
    assert response.status_code == 422
    assert error(response)["errors"][0]["loc"] == loc


def test_a_name_already_taken_is_409(api):
    create(api)
    response = create(api, name="RULES")
    assert response.status_code == 409
    assert error(response)["detail"] == (
        "This server already has a custom command named rules; edit it or choose another name."
    )
    assert CustomCommand.objects.count() == 1


def test_it_lists_gets_changes_and_deletes(api):
    command_id = create(api).json()["id"]
    create(api, name="faq")
    assert [c["name"] for c in api.get(api.url("/custom-commands")).json()["items"]] == ["faq", "rules"]
    assert api.get(api.url(f"/custom-commands/{command_id}")).json()["name"] == "rules"
    changed = api.send(
        "PATCH", api.url(f"/custom-commands/{command_id}"), {"content": "Be very kind.", "private": True}
    )
    assert changed.status_code == 200
    assert (changed.json()["content"], changed.json()["private"], changed.json()["description"]) == (
        "Be very kind.",
        True,
        "The server's rules",
    )
    assert api.send("DELETE", api.url(f"/custom-commands/{command_id}")).status_code == 204
    assert list(CustomCommand.objects.values_list("name", flat=True)) == ["faq"]


def test_renaming_onto_another_command_is_409(api):
    command_id = create(api).json()["id"]
    create(api, name="faq")
    response = api.send("PATCH", api.url(f"/custom-commands/{command_id}"), {"name": "faq"})
    assert response.status_code == 409
    assert CustomCommand.objects.get(id=command_id).name == "rules"


def test_another_guilds_command_is_404(api, elsewhere):
    theirs = create(elsewhere).json()["id"]
    path = api.url(f"/custom-commands/{theirs}")
    assert error(api.get(path)) == {"detail": "There is no such custom command in this guild.", "errors": []}
    assert api.send("PATCH", path, {"content": "mine"}).status_code == 404
    assert api.send("DELETE", path).status_code == 404
    assert CustomCommand.objects.get(id=theirs).content == "Be kind, {member}."


def test_a_read_token_cannot_create_one(cast):
    from tests.api.conftest import caller_for

    reader = caller_for(cast.guild, scopes=("read",))
    assert create(reader).status_code == 403
    assert CustomCommand.objects.count() == 0
