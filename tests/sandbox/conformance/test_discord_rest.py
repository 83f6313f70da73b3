"""Every REST route the Discord stand-in serves, answered as discord/discord-api-spec says.

Each test drives one family of routes with the requests discord.py and Muster send, and
checks each answer's status and body against the schema of that route and status.
"""

from __future__ import annotations

import pytest

from .conftest import BUTTONS, COMMANDS, EMBED, SELECT
from .schemas import discord_api as S
from .validate import answer, problems

pytestmark = pytest.mark.timeout(30)


def test_users_the_application_and_gateway_discovery(world):
    me = world.bot.get("/users/@me")
    assert me.headers["Content-Type"] == "application/json"  # exactly: discord.py insists
    answer(me, 200, S.USER_PII)
    answer(world.bot.get(f"/users/{world.alice}"), 200, S.USER)
    dm = answer(world.bot.post("/users/@me/channels", json={"recipient_id": world.alice}), 200, S.DM_CHANNEL)
    assert [u["id"] for u in dm["recipients"]] == [world.alice]
    answer(world.bot.get("/oauth2/applications/@me"), 200, S.APPLICATION)
    answer(world.bot.get("/applications/@me"), 200, S.APPLICATION)
    answer(world.anon.get("/gateway"), 200, S.GATEWAY)
    answer(world.bot.get("/gateway/bot"), 200, S.GATEWAY_BOT)

    unknown = answer(world.bot.get("/users/1"), 404, S.ERROR)
    assert unknown == {"message": "Unknown User", "code": 10013}
    assert answer(world.anon.get("/users/@me"), 401, S.ERROR) == {"message": "401: Unauthorized", "code": 0}
    assert answer(world.bot.get("/nowhere"), 404, S.ERROR) == {"message": "404: Not Found", "code": 0}
    assert answer(world.bot.post("/users/@me"), 405, S.ERROR)["code"] == 0


def test_application_commands_global_and_per_guild(world):
    global_ = f"/applications/{world.app_id}/commands"
    in_guild = f"/applications/{world.app_id}/guilds/{world.guild_id}/commands"
    answer(world.bot.put(global_, json=COMMANDS), 200, S.COMMANDS)
    answer(world.bot.get(global_), 200, S.COMMANDS)
    answer(world.bot.put(in_guild, json=COMMANDS), 200, S.COMMANDS)
    listed = answer(world.bot.get(in_guild), 200, S.COMMANDS)
    assert [(c["name"], c["guild_id"]) for c in listed] == [("event", world.guild_id), ("Report", world.guild_id)]

    refused = answer(world.bot.put(global_, json=[{"name": "Bad Name", "description": ""}]), 400, S.ERROR)
    assert sorted(refused["errors"]["0"]) == ["description", "name"]
    assert answer(world.bot.get("/applications/1/commands"), 403, S.ERROR)["code"] == 50001


def test_channels(world):
    answer(world.bot.get(f"/channels/{world.channel_id}"), 200, S.ANY_CHANNEL)
    edited = answer(world.bot.patch(f"/channels/{world.channel_id}", json={"topic": "news"}), 200, S.ANY_CHANNEL)
    assert edited["topic"] == "news"
    dm = world.bot.post("/users/@me/channels", json={"recipient_id": world.alice}).json()
    answer(world.bot.get(f"/channels/{dm['id']}"), 200, S.ANY_CHANNEL)
    refused = answer(world.bot.patch(f"/channels/{dm['id']}", json={"name": "x"}), 403, S.ERROR)
    assert refused == {"message": "Cannot execute action on a DM channel", "code": 50003}
    answer(world.bot.delete(f"/channels/{dm['id']}"), 200, S.ANY_CHANNEL)  # closes the DM
    overwrite = {"id": int(world.role_id), "type": 0, "allow": 1024, "deny": 0}  # numbers, as discord.py sends
    created = world.bot.post(
        f"/guilds/{world.guild_id}/channels", json={"name": "spare", "permission_overwrites": [overwrite]}
    )
    stored = answer(created, 201, S.GUILD_CHANNEL)["permission_overwrites"]
    assert stored == [{"id": world.role_id, "type": 0, "allow": "1024", "deny": "0"}]
    answer(world.bot.delete(f"/channels/{created.json()['id']}"), 200, S.ANY_CHANNEL)
    assert answer(world.bot.get("/channels/1"), 404, S.ERROR)["code"] == 10003


def test_messages_come_back_with_component_ids_and_embed_types(world):
    url = f"/channels/{world.channel_id}/messages"
    sent = answer(
        world.bot.post(url, json={"content": "hi", "embeds": [EMBED], "components": [BUTTONS, SELECT]}), 200, S.MESSAGE
    )
    assert [row["id"] for row in sent["components"]] == [1, 4]
    assert [c["id"] for c in sent["components"][0]["components"]] == [2, 3]
    assert sent["components"][1]["components"][0] | {"options": None} == {
        "type": 3,
        "id": 5,
        "custom_id": "pick",
        "min_values": 1,
        "max_values": 1,
        "options": None,
    }
    assert sent["embeds"] == [
        {**EMBED, "type": "rich", "fields": [{"name": "Going", "value": "alice", "inline": False}]}
    ]
    message = f"{url}/{sent['id']}"
    reference = {"message_id": sent["id"], "channel_id": world.channel_id, "fail_if_not_exists": False}
    reply = answer(world.bot.post(url, json={"content": "re", "message_reference": reference}), 200, S.MESSAGE)
    assert reply["message_reference"] == {
        "type": 0,
        "channel_id": world.channel_id,
        "message_id": sent["id"],
        "guild_id": world.guild_id,
    }
    answer(world.bot.get(url), 200, S.MESSAGES)
    answer(world.bot.get(message), 200, S.MESSAGE)
    edited = answer(world.bot.patch(message, json={"content": "edited", "components": [BUTTONS]}), 200, S.MESSAGE)
    assert [c["id"] for c in edited["components"][0]["components"]] == [2, 3]
    answer(world.bot.delete(message), 204, None)
    assert answer(world.bot.get(message), 404, S.ERROR) == {"message": "Unknown Message", "code": 10008}


def test_message_errors_keep_discords_shapes_and_codes(world):
    url = f"/channels/{world.channel_id}/messages"
    assert answer(world.bot.post(url, json={}), 400, S.ERROR) == {
        "message": "Cannot send an empty message",
        "code": 50006,
    }
    too_long = answer(world.bot.post(url, json={"content": "x" * 2001}), 400, S.ERROR)
    assert too_long["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert answer(world.bot.get(url, params={"limit": 0}), 400, S.ERROR)["errors"]["limit"]["_errors"][0]["code"] == (
        "NUMBER_TYPE_MIN"
    )
    dm = world.bot.post("/users/@me/channels", json={"recipient_id": world.closed}).json()
    refused = answer(world.bot.post(f"/channels/{dm['id']}/messages", json={"content": "hi"}), 403, S.ERROR)
    assert refused == {"message": "Cannot send messages to this user", "code": 50007}

    world.control.set_limits(routes={"messages:create": (1, 30.0)})
    world.bot.post(url, json={"content": "one"})
    limited = answer(world.bot.post(url, json={"content": "two"}), 429, S.RATE_LIMITED)
    assert (limited["global"], limited["code"]) == (False, 0)


def test_guild_roles_and_members(world):
    base = f"/guilds/{world.guild_id}"
    guild = answer(world.bot.get(base), 200, S.GUILD)
    assert "approximate_member_count" not in guild
    counted = answer(world.bot.get(base, params={"with_counts": "true"}), 200, S.GUILD_WITH_COUNTS)
    assert (counted["approximate_member_count"], counted["approximate_presence_count"]) == (4, 0)
    answer(world.bot.get(f"{base}/channels"), 200, {"type": "array", "items": S.ANY_CHANNEL})
    answer(world.bot.post(f"{base}/channels", json={"name": "spare"}), 201, S.GUILD_CHANNEL)
    answer(world.bot.get(f"{base}/roles"), 200, {"type": "array", "items": S.ROLE})
    role = answer(world.bot.post(f"{base}/roles", json={"name": "Helpers"}), 200, S.ROLE)
    answer(world.bot.patch(f"{base}/roles/{role['id']}", json={"name": "Stewards"}), 200, S.ROLE)
    answer(world.bot.get(f"{base}/members", params={"limit": 10}), 200, {"type": "array", "items": S.MEMBER})
    answer(world.bot.get(f"{base}/members/{world.alice}"), 200, S.MEMBER)
    answer(world.bot.put(f"{base}/members/{world.alice}/roles/{role['id']}"), 204, None)
    answer(world.bot.delete(f"{base}/members/{world.alice}/roles/{role['id']}"), 204, None)
    answer(world.bot.delete(f"{base}/roles/{role['id']}"), 204, None)

    assert answer(world.bot.delete(f"{base}/roles/{world.guild_id}"), 400, S.ERROR)["code"] == 50035
    assert answer(world.bot.get(f"{base}/members/1"), 404, S.ERROR)["code"] == 10007
    not_int = answer(world.bot.get(f"{base}/members", params={"limit": "ten"}), 400, S.ERROR)
    assert not_int["errors"] == {
        "limit": {"_errors": [{"code": "NUMBER_TYPE_COERCE", "message": 'Value "ten" is not int.'}]}
    }
    assert answer(world.bot.get("/guilds/1"), 404, S.ERROR)["code"] == 10004
    outside = world.control.create_guild("Elsewhere", with_bot=False)["id"]
    assert answer(world.bot.get(f"/guilds/{outside}"), 403, S.ERROR)["code"] == 50001


def test_the_schemas_refuse_what_the_stand_in_used_to_answer(world):
    """The deviations fixed, as they were: each old answer breaks its published schema."""
    sent = world.bot.post(
        f"/channels/{world.channel_id}/messages", json={"content": "x", "components": [BUTTONS]}
    ).json()
    as_sent = {**sent, "components": [BUTTONS], "embeds": [EMBED]}
    assert problems(as_sent, S.MESSAGE)
    guild = world.bot.get(f"/guilds/{world.guild_id}").json()
    assert problems({k: v for k, v in guild.items() if k not in ("home_header", "region", "nsfw")}, S.GUILD)
    callback = {"interaction": {"id": sent["id"], "type": 2, "response_message_loading": True}, "resource": {"type": 5}}
    assert problems(callback, S.INTERACTION_CALLBACK)
    metadata = {"id": sent["id"], "type": 3, "authorizing_integration_owners": {"0": world.guild_id}}
    assert problems({**sent, "interaction_metadata": metadata}, S.MESSAGE)


def test_a_message_with_a_file_is_multipart_with_payload_json_and_files(world):
    """Discord's "Uploading Files": ``payload_json`` plus ``files[n]``, ``attachments`` naming each by id."""
    import json

    import httpx

    dm = world.bot.post("/users/@me/channels", json={"recipient_id": world.alice}).json()
    url = f"/channels/{dm['id']}/messages"
    payload = {"content": "Your data", "attachments": [{"id": 0, "filename": "data.json"}]}
    content = json.dumps({"rows": [1, 2]}).encode()
    sent = answer(
        world.bot.post(
            url,
            data={"payload_json": json.dumps(payload)},
            files={"files[0]": ("upload.bin", content, "application/json")},
        ),
        200,
        S.MESSAGE,
    )
    [attachment] = sent["attachments"]
    assert (attachment["filename"], attachment["size"], attachment["content_type"]) == (
        "data.json",
        len(content),
        "application/json",
    )
    assert httpx.get(attachment["url"]).content == content
    assert world.bot.get(f"{url}/{sent['id']}").json()["attachments"] == [attachment]

    # An attachment naming a file that was not uploaded is a form error; so is too large an upload.
    wrong = {"content": "x", "attachments": [{"id": 1, "filename": "a.json"}]}
    missing = answer(
        world.bot.post(url, data={"payload_json": json.dumps(wrong)}, files={"files[0]": ("a.json", b"{}")}),
        400,
        S.ERROR,
    )
    assert (missing["code"], list(missing["errors"]["attachments"]["0"])) == (50035, ["id"])
    big = world.bot.post(url, data={"payload_json": "{}"}, files={"files[0]": ("a.bin", b"0" * (10 * 1024**2 + 1))})
    assert (big.status_code, big.json()["code"]) == (413, 40005)
    # A JSON body still makes a message without attachments.
    assert answer(world.bot.post(url, json={"content": "plain"}), 200, S.MESSAGE)["attachments"] == []
