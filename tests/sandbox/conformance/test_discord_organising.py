"""Issue 18's routes of the Discord stand-in, answered as discord/discord-api-spec says and
refused with the codes discord-api-docs lists: threads, categories and permission
overwrites, member role changes, guild scheduled events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.discord import permissions as P

from .conftest import COMMANDS
from .schemas import discord_api as S
from .validate import answer

pytestmark = pytest.mark.timeout(60)
VIEW = P.VIEW_CHANNEL


def bot_role_id(world) -> str:
    return next(r["id"] for r in world.control.guild(world.guild_id)["roles"] if r.get("tags", {}).get("bot_id"))


def deny_bot(world, channel_id: str, bits: int) -> None:
    """An overwrite on the bot's role that denies ``bits`` in one channel."""
    overwrite = {"id": bot_role_id(world), "type": 0, "allow": "0", "deny": str(bits)}
    world.control.update_channel(channel_id, permission_overwrites=[overwrite])


def code(response) -> tuple[int, int]:
    return response.status_code, response.json()["code"]


# --- threads ----------------------------------------------------------------------------


def test_threads_start_from_a_message_or_alone_and_take_members(world):
    ctl, bot, channel = world.control, world.bot, world.channel_id
    ctl.enable_intents("GUILD_MEMBERS")
    message = bot.post(f"/channels/{channel}/messages", json={"content": "Picnic on Sunday"}).json()
    url = f"/channels/{channel}/messages/{message['id']}/threads"
    thread = answer(bot.post(url, json={"name": "Picnic", "auto_archive_duration": 1440}), 201, S.THREAD)
    assert (thread["id"], thread["type"], thread["parent_id"]) == (message["id"], 11, channel)
    assert thread["thread_metadata"]["auto_archive_duration"] == 1440
    assert code(bot.post(url, json={"name": "Again"})) == (400, 160004)
    started = answer(bot.get(f"/channels/{channel}/messages/{message['id']}"), 200, S.MESSAGE)
    assert (started["thread"]["id"], started["flags"] & 32) == (thread["id"], 32)  # HAS_THREAD

    private = answer(bot.post(f"/channels/{channel}/threads", json={"name": "Organisers"}), 201, S.THREAD)
    assert (private["type"], private["thread_metadata"]["invitable"]) == (12, True)  # type defaults to private
    public = answer(bot.post(f"/channels/{channel}/threads", json={"name": "Lifts", "type": 11}), 201, S.THREAD)
    assert [t["id"] for t in ctl.threads(channel)] == sorted([thread["id"], private["id"], public["id"]])

    members = f"/channels/{thread['id']}/thread-members"
    answer(bot.put(f"{members}/{world.alice}"), 204, None)
    answer(bot.put(f"{members}/{world.alice}"), 204, None)  # already in: 204 again
    listed = answer(bot.get(members), 200, S.THREAD_MEMBERS)
    assert sorted(m["user_id"] for m in listed) == sorted([world.alice, world.app_id])
    paged = answer(bot.get(members, params={"with_member": "true", "limit": 1}), 200, S.THREAD_MEMBERS)
    assert len(paged) == 1 and "member" in paged[0]
    answer(bot.get(f"{members}/{world.alice}"), 200, S.THREAD_MEMBER)
    assert code(bot.get(f"{members}/{world.closed}")) == (404, 10007)
    assert code(bot.put(f"{members}/1")) == (404, 10007)  # not in the guild
    assert ctl.thread(thread["id"])["members"] == sorted([world.alice, world.app_id], key=int)

    posted = answer(
        bot.post(f"/channels/{thread['id']}/messages", json={"content": "Who brings bread?"}), 200, S.MESSAGE
    )
    assert posted["channel_id"] == thread["id"]
    answer(bot.get(f"/channels/{thread['id']}"), 200, S.ANY_CHANNEL)
    assert ctl.thread(thread["id"])["message_count"] == 1
    answer(bot.delete(f"{members}/{world.alice}"), 204, None)
    assert world.alice not in ctl.thread(thread["id"])["members"]

    assert code(bot.post(f"/channels/{thread['id']}/threads", json={"name": "x", "type": 11})) == (400, 50024)
    bad = answer(bot.post(f"/channels/{channel}/threads", json={"name": "", "auto_archive_duration": 30}), 400, S.ERROR)
    assert sorted(bad["errors"]) == ["auto_archive_duration", "name"]
    gone = answer(bot.delete(f"/channels/{public['id']}"), 200, S.ANY_CHANNEL)
    assert gone["id"] == public["id"] and public["id"] not in [t["id"] for t in ctl.threads(channel)]


def test_archived_and_locked_threads(world):
    ctl, bot = world.control, world.bot
    thread = bot.post(f"/channels/{world.channel_id}/threads", json={"name": "Rota", "type": 11}).json()
    url = f"/channels/{thread['id']}"
    archived = answer(bot.patch(url, json={"archived": True}), 200, S.THREAD)
    assert archived["thread_metadata"]["archived"] is True and ctl.thread(thread["id"])["archived"]
    assert code(bot.put(f"{url}/thread-members/{world.alice}")) == (400, 50083)
    assert code(bot.patch(url, json={"name": "Renamed"})) == (400, 50083)
    bot.post(f"{url}/messages", json={"content": "still here"})  # a message unarchives it
    assert ctl.thread(thread["id"])["archived"] is False

    answer(bot.patch(url, json={"archived": True, "locked": True}), 200, S.THREAD)
    deny_bot(world, world.channel_id, P.MANAGE_THREADS)
    assert code(bot.post(f"{url}/messages", json={"content": "x"})) == (400, 50083)  # locked
    assert code(bot.patch(url, json={"archived": False})) == (403, 50013)  # locked: Manage Threads
    ctl.update_thread(thread["id"], archived=False, locked=False)
    answer(bot.patch(url, json={"archived": True}), 403, S.ERROR)  # archiving takes Manage Threads
    ctl.join_thread(thread["id"], world.alice)
    assert code(bot.delete(f"{url}/thread-members/{world.alice}")) == (403, 50013)
    answer(bot.delete(f"{url}/thread-members/@me"), 204, None)  # leaving needs nothing
    assert code(bot.delete(url)) == (403, 50013)


def test_thread_creation_takes_the_parent_channels_permissions(world):
    bot, channel = world.bot, world.channel_id
    message = bot.post(f"/channels/{channel}/messages", json={"content": "x"}).json()
    deny_bot(world, channel, P.CREATE_PUBLIC_THREADS | P.CREATE_PRIVATE_THREADS)
    refused = answer(
        bot.post(f"/channels/{channel}/messages/{message['id']}/threads", json={"name": "a"}), 403, S.ERROR
    )
    assert refused == {"message": "Missing Permissions", "code": 50013}
    assert code(bot.post(f"/channels/{channel}/threads", json={"name": "a", "type": 12})) == (403, 50013)
    world.control.update_channel(channel, permission_overwrites=[])
    thread = bot.post(f"/channels/{channel}/threads", json={"name": "a", "type": 11}).json()
    deny_bot(world, channel, P.SEND_MESSAGES_IN_THREADS)
    assert code(bot.post(f"/channels/{thread['id']}/messages", json={"content": "x"})) == (403, 50013)
    assert code(bot.put(f"/channels/{thread['id']}/thread-members/{world.alice}")) == (403, 50013)
    assert bot.post(f"/channels/{channel}/messages", json={"content": "parent is fine"}).status_code == 200


def test_a_private_thread_is_seen_by_its_members(world):
    ctl = world.control
    thread = ctl.start_thread(world.channel_id, world.alice, "Alice's", type=12)
    assert ctl.permissions_in(thread["id"], world.alice)["view_channel"] is True
    assert ctl.permissions_in(thread["id"], world.closed)["view_channel"] is False
    ctl.join_thread(thread["id"], world.closed)
    assert ctl.permissions_in(thread["id"], world.closed)["send_messages"] is True
    answer(world.bot.get(f"/channels/{thread['id']}"), 200, S.THREAD)  # the bot has Manage Threads


def test_only_moderators_invite_to_a_private_thread_that_is_not_invitable(world):
    bot, channel = world.bot, world.channel_id
    thread = bot.post(f"/channels/{channel}/threads", json={"name": "Staff", "type": 12, "invitable": False}).json()
    assert thread["thread_metadata"]["invitable"] is False
    answer(bot.put(f"/channels/{thread['id']}/thread-members/{world.alice}"), 204, None)  # the bot moderates
    deny_bot(world, channel, P.MANAGE_THREADS)
    assert code(bot.put(f"/channels/{thread['id']}/thread-members/{world.closed}")) == (403, 50013)


def test_thread_members_list_needs_the_guild_members_intent(world):
    thread = world.bot.post(f"/channels/{world.channel_id}/threads", json={"name": "a", "type": 11}).json()
    assert code(world.bot.get(f"/channels/{thread['id']}/thread-members")) == (403, 50001)


# --- categories and permission overwrites ---------------------------------------------------


def test_categories_and_overwrites_decide_who_sees_a_channel(world):
    ctl, bot, base = world.control, world.bot, f"/guilds/{world.guild_id}"
    category = answer(bot.post(f"{base}/channels", json={"name": "Organisers", "type": 4}), 201, S.GUILD_CHANNEL)
    assert category["type"] == 4
    private = [
        {"id": world.guild_id, "type": 0, "allow": "0", "deny": str(VIEW)},
        {"id": world.role_id, "type": 0, "allow": str(VIEW), "deny": "0"},
    ]
    hidden = bot.post(f"{base}/channels", json={"name": "hidden", "permission_overwrites": private}).json()
    assert code(bot.put(f"/channels/{hidden['id']}/permissions/{world.alice}", json={"type": 1})) == (403, 50001)
    private.append({"id": bot_role_id(world), "type": 0, "allow": str(VIEW), "deny": "0"})  # or the bot is out too
    body = {"name": "planning", "parent_id": category["id"], "permission_overwrites": private}
    channel = answer(bot.post(f"{base}/channels", json=body), 201, S.GUILD_CHANNEL)
    assert channel["parent_id"] == category["id"]
    assert ctl.permissions_in(channel["id"], world.alice)["view_channel"] is True  # her role's allow
    assert ctl.permissions_in(channel["id"], world.closed)["view_channel"] is False  # @everyone's deny

    url = f"/channels/{channel['id']}/permissions"
    answer(bot.put(f"{url}/{world.closed}", json={"type": 1, "allow": str(VIEW), "deny": "0"}), 204, None)
    assert ctl.permissions_in(channel["id"], world.closed)["view_channel"] is True
    answer(bot.put(f"{url}/{world.alice}", json={"type": 1, "allow": "0", "deny": str(VIEW)}), 204, None)
    assert ctl.permissions_in(channel["id"], world.alice)["view_channel"] is False  # member beats role
    answer(bot.delete(f"{url}/{world.closed}"), 204, None)
    assert ctl.permissions_in(channel["id"], world.closed)["view_channel"] is False
    assert [o["id"] for o in ctl.permissions_in(channel["id"], world.closed)["overwrites"]] == [
        world.guild_id,
        world.role_id,
        bot_role_id(world),
        world.alice,
    ]

    bad_type = answer(bot.put(f"{url}/{world.alice}", json={"type": 5}), 400, S.ERROR)
    assert bad_type["errors"]["type"]["_errors"][0]["code"] == "BASE_TYPE_CHOICES"
    assert code(bot.put(f"{url}/{world.alice}", json={"type": 1, "allow": str(P.ADMINISTRATOR)})) == (403, 50013)
    not_category = bot.post(f"{base}/channels", json={"name": "x", "parent_id": world.channel_id})
    assert answer(not_category, 400, S.ERROR)["errors"]["parent_id"]
    nested = bot.post(f"{base}/channels", json={"name": "x", "type": 4, "parent_id": category["id"]})
    assert code(nested) == (400, 50035)
    assert code(bot.post(f"/channels/{category['id']}/messages", json={"content": "x"})) == (400, 50008)
    assert code(bot.post(f"/channels/{category['id']}/threads", json={"name": "x"})) == (400, 50024)

    moved = bot.patch(f"/channels/{world.channel_id}", json={"name": "lobby", "parent_id": category["id"]})
    assert answer(moved, 200, S.ANY_CHANNEL)["parent_id"] == category["id"]
    answer(bot.delete(f"/channels/{category['id']}"), 200, S.ANY_CHANNEL)
    assert ctl.guild(world.guild_id)["channels"][0]["parent_id"] is None  # left without a category


def test_a_bot_without_manage_roles_or_manage_channels_is_refused(world):
    ctl = world.control
    weak = ctl.create_guild("Weak", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_ROLES)
    channel = weak["channels"][0]["id"]
    everyone = {"id": weak["id"], "type": 0, "allow": "0", "deny": str(VIEW)}
    assert code(world.bot.put(f"/channels/{channel}/permissions/{weak['id']}", json=everyone)) == (403, 50013)
    assert code(world.bot.delete(f"/channels/{channel}/permissions/{weak['id']}")) == (403, 50013)
    created = world.bot.post(f"/guilds/{weak['id']}/channels", json={"name": "x", "permission_overwrites": [everyone]})
    assert code(created) == (403, 50013)
    assert code(world.bot.patch(f"/channels/{channel}", json={"permission_overwrites": [everyone]})) == (403, 50013)
    assert world.bot.patch(f"/channels/{channel}", json={"name": "renamed"}).status_code == 200

    no_channels = ctl.create_guild("Weaker", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_CHANNELS)
    other = no_channels["channels"][0]["id"]
    assert code(world.bot.patch(f"/channels/{other}", json={"name": "x"})) == (403, 50013)
    assert code(world.bot.delete(f"/channels/{other}")) == (403, 50013)
    assert code(world.bot.post(f"/guilds/{no_channels['id']}/channels", json={"name": "x"})) == (403, 50013)


# --- member role changes -----------------------------------------------------------------


def test_member_roles_follow_the_role_hierarchy(world):
    ctl, bot, base = world.control, world.bot, f"/guilds/{world.guild_id}"
    helpers = answer(bot.post(f"{base}/roles", json={"name": "Helpers", "permissions": str(VIEW)}), 200, S.ROLE)
    assert code(bot.post(f"{base}/roles", json={"name": "Admins", "permissions": str(P.ADMINISTRATOR)})) == (403, 50013)
    edited = bot.patch(f"{base}/members/{world.closed}", json={"roles": [helpers["id"]]})
    assert answer(edited, 200, S.MEMBER)["roles"] == [helpers["id"]]
    assert ctl.member(world.guild_id, world.closed)["role_names"] == ["Helpers"]

    top = ctl.create_role(world.guild_id, "Stewards")
    ctl.update_role(world.guild_id, top["id"], position=50)  # above the bot's role
    assert code(bot.put(f"{base}/members/{world.alice}/roles/{top['id']}")) == (403, 50013)
    assert code(bot.patch(f"{base}/members/{world.alice}", json={"roles": [world.role_id, top["id"]]})) == (403, 50013)
    assert code(bot.patch(f"{base}/roles/{top['id']}", json={"name": "x"})) == (403, 50013)
    assert code(bot.put(f"{base}/members/{world.alice}/roles/{bot_role_id(world)}")) == (403, 50013)  # managed
    ctl.set_bot_role_position(world.guild_id, 60)
    answer(bot.put(f"{base}/members/{world.alice}/roles/{top['id']}"), 204, None)
    assert ctl.member(world.guild_id, world.alice)["role_names"] == ["Stewards", "Organisers"]
    answer(bot.patch(f"{base}/members/{world.alice}", json={"roles": []}), 200, S.MEMBER)
    assert ctl.member(world.guild_id, world.alice)["roles"] == []

    assert code(bot.patch(f"{base}/members/{world.alice}", json={"roles": ["1"]})) == (404, 10011)
    assert code(bot.patch(f"{base}/members/{world.alice}", json={"nick": "Al"})) == (403, 50013)  # no Manage Nicknames
    weak = ctl.create_guild("Weak", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_ROLES)
    member = ctl.add_member(weak["id"], username="carol")["user"]["id"]
    role = ctl.create_role(weak["id"], "Low")
    assert code(bot.put(f"/guilds/{weak['id']}/members/{member}/roles/{role['id']}")) == (403, 50013)
    assert code(bot.patch(f"/guilds/{weak['id']}/members/{member}", json={"roles": [role["id"]]})) == (403, 50013)
    assert code(bot.post(f"/guilds/{weak['id']}/roles", json={"name": "x"})) == (403, 50013)


# --- guild scheduled events --------------------------------------------------------------


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def external(name: str = "Picnic", **extra) -> dict:
    return {
        "name": name,
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": later(24),
        "scheduled_end_time": later(26),
        "entity_metadata": {"location": "The park"},
        **extra,
    }


def test_scheduled_events_are_made_read_and_listed(world):
    ctl, bot, url = world.control, world.bot, f"/guilds/{world.guild_id}/scheduled-events"
    event = answer(bot.post(url, json=external(description="Bring food")), 200, S.SCHEDULED_EVENT)
    assert (event["status"], event["creator_id"], event["entity_metadata"]) == (
        1,
        world.app_id,
        {"location": "The park"},
    )
    answer(bot.get(url), 200, S.SCHEDULED_EVENTS)
    counted = answer(bot.get(f"{url}/{event['id']}", params={"with_user_count": "true"}), 200, S.SCHEDULED_EVENT)
    assert counted["user_count"] == 0
    ctl.mark_interested(world.guild_id, event["id"], world.alice)
    ctl.mark_interested(world.guild_id, event["id"], world.closed)
    users = answer(bot.get(f"{url}/{event['id']}/users", params={"with_member": "true"}), 200, S.SCHEDULED_EVENT_USERS)
    assert [u["user_id"] for u in users] == sorted([world.alice, world.closed], key=int)
    assert all("member" in u for u in users)
    after = bot.get(f"{url}/{event['id']}/users", params={"after": users[0]["user_id"]}).json()
    assert [u["user_id"] for u in after] == [users[1]["user_id"]]
    ctl.mark_interested(world.guild_id, event["id"], world.alice, interested=False)
    assert ctl.scheduled_events(world.guild_id)[0]["interested"] == [world.closed]

    renamed = answer(bot.patch(f"{url}/{event['id']}", json={"name": "Big picnic"}), 200, S.SCHEDULED_EVENT)
    assert renamed["name"] == "Big picnic"
    answer(bot.delete(f"{url}/{event['id']}"), 204, None)
    assert answer(bot.get(f"{url}/{event['id']}"), 404, S.ERROR) == {
        "message": "Unknown Guild Scheduled Event",
        "code": 10070,
    }


def test_external_events_need_a_location_an_end_and_a_future_start(world):
    url = f"/guilds/{world.guild_id}/scheduled-events"
    no_place = answer(world.bot.post(url, json=external(entity_metadata={})), 400, S.ERROR)
    assert no_place["errors"]["entity_metadata"]["location"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    no_end = answer(world.bot.post(url, json=external(scheduled_end_time=None)), 400, S.ERROR)
    assert list(no_end["errors"]) == ["scheduled_end_time"]
    past = answer(world.bot.post(url, json=external(scheduled_start_time=later(-1))), 400, S.ERROR)
    assert past["errors"]["scheduled_start_time"]["_errors"][0]["code"] == "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST"
    backwards = answer(world.bot.post(url, json=external(scheduled_end_time=later(1))), 400, S.ERROR)
    assert list(backwards["errors"]) == ["scheduled_end_time"]
    missing = answer(world.bot.post(url, json={}), 400, S.ERROR)
    assert sorted(missing["errors"]) == ["entity_type", "name", "privacy_level", "scheduled_start_time"]


def test_status_moves_only_as_discord_allows(world):
    url = f"/guilds/{world.guild_id}/scheduled-events"
    event = world.bot.post(url, json=external()).json()
    one = f"{url}/{event['id']}"
    assert code(world.bot.patch(one, json={"status": 3})) == (400, 50035)  # SCHEDULED -> COMPLETED
    assert answer(world.bot.patch(one, json={"status": 2}), 200, S.SCHEDULED_EVENT)["status"] == 2
    assert code(world.bot.patch(one, json={"status": 1})) == (400, 50035)  # ACTIVE -> SCHEDULED
    assert code(world.bot.patch(one, json={"status": 4})) == (400, 50035)  # ACTIVE -> CANCELED
    assert answer(world.bot.patch(one, json={"status": 3}), 200, S.SCHEDULED_EVENT)["status"] == 3
    assert code(world.bot.patch(one, json={"status": 2})) == (400, 50035)  # COMPLETED is final
    other = world.bot.post(url, json=external("Quiz")).json()
    assert world.bot.patch(f"{url}/{other['id']}", json={"status": 4}).json()["status"] == 4
    assert code(world.bot.patch(f"{url}/{other['id']}", json={"status": 2})) == (400, 50035)  # CANCELED is final
    assert [e["status"] for e in world.control.scheduled_events(world.guild_id)] == [3, 4]


def test_a_guild_holds_a_hundred_uncompleted_events(world):
    ctl, url = world.control, f"/guilds/{world.guild_id}/scheduled-events"
    for n in range(100):
        ctl.create_scheduled_event(world.guild_id, world.alice, f"Event {n}", start=later(24), end=later(25))
    full = answer(world.bot.post(url, json=external()), 400, S.ERROR)
    assert full == {"message": "Maximum number of uncompleted guild scheduled events reached (100)", "code": 30038}
    first = ctl.scheduled_events(world.guild_id)[0]
    world.bot.patch(f"{url}/{first['id']}", json={"status": 4})  # a canceled event no longer counts
    answer(world.bot.post(url, json=external()), 200, S.SCHEDULED_EVENT)


def test_events_need_create_events_and_others_events_manage_events(world):
    ctl = world.control
    guild = ctl.create_guild("Club", bot_permissions=P.DEFAULT_BOT & ~P.MANAGE_EVENTS)
    alice = ctl.add_member(guild["id"], username="alice2")["user"]["id"]
    url = f"/guilds/{guild['id']}/scheduled-events"
    own = world.bot.post(url, json=external()).json()
    theirs = ctl.create_scheduled_event(guild["id"], alice, "Hers", start=later(24), end=later(25))
    answer(world.bot.patch(f"{url}/{own['id']}", json={"name": "Mine"}), 200, S.SCHEDULED_EVENT)
    assert code(world.bot.patch(f"{url}/{theirs['id']}", json={"name": "x"})) == (403, 50013)
    assert code(world.bot.delete(f"{url}/{theirs['id']}")) == (403, 50013)
    answer(world.bot.get(f"{url}/{theirs['id']}"), 200, S.SCHEDULED_EVENT)  # reading needs nothing

    none = ctl.create_guild("Bare", bot_permissions=P.DEFAULT_BOT & ~P.CREATE_EVENTS & ~P.MANAGE_EVENTS)
    assert code(world.bot.post(f"/guilds/{none['id']}/scheduled-events", json=external())) == (403, 50013)


def test_an_interaction_in_a_thread_carries_the_parents_permissions(world):
    ctl = world.control
    world.bot.put(f"/applications/{world.app_id}/commands", json=COMMANDS)
    deny = {"id": world.alice, "type": 1, "allow": "0", "deny": str(P.SEND_MESSAGES)}
    ctl.update_channel(world.channel_id, permission_overwrites=[deny])
    thread = ctl.start_thread(world.channel_id, world.alice, "Questions")
    ix = ctl.inject_command("event", subcommand="create", channel_id=thread["id"], user_id=world.alice)
    perms = int(ix["payload"]["member"]["permissions"])
    assert perms & P.VIEW_CHANNEL and not perms & P.SEND_MESSAGES


@pytest.mark.parametrize(
    ("method", "path", "body", "where"),
    [
        ("PATCH", "/guilds/{guild}/members/{alice}", {"roles": ["abc"]}, ["roles", "0"]),
        ("PATCH", "/guilds/{guild}/members/{alice}", {"roles": "abc"}, ["roles"]),
        ("POST", "/guilds/{guild}/channels", {"name": "x", "type": "text"}, ["type"]),
        ("POST", "/guilds/{guild}/channels", {"name": "x", "parent_id": "abc"}, ["parent_id"]),
        ("POST", "/guilds/{guild}/channels", {"name": "x", "permission_overwrites": [{"id": "a", "type": 0}]}, None),
        ("PATCH", "/channels/{channel}", {"permission_overwrites": {"id": 1}}, ["permission_overwrites"]),
        ("PUT", "/channels/{channel}/permissions/{alice}", {"type": 1, "allow": "lots"}, ["allow"]),
        ("POST", "/guilds/{guild}/scheduled-events", {"description": 5, "entity_metadata": "park"}, None),
    ],
)
def test_malformed_bodies_get_discords_form_error_not_a_crash(world, method, path, body, where):
    url = path.format(guild=world.guild_id, alice=world.alice, channel=world.channel_id)
    refused = answer(world.bot.request(method, url, json=body), 400, S.ERROR)
    assert refused["code"] == 50035
    node = refused["errors"]
    for key in where or []:
        node = node[key]
    assert "_errors" in node or where is None


# --- voice channels (issue 19's teams) -------------------------------------------------------


def test_a_voice_channel_carries_its_voice_fields_and_its_overwrites(world):
    ctl, bot, base = world.control, world.bot, f"/guilds/{world.guild_id}"
    private = [
        {"id": world.guild_id, "type": 0, "allow": "0", "deny": str(VIEW)},
        {"id": bot_role_id(world), "type": 0, "allow": str(VIEW), "deny": "0"},
    ]
    body = {"name": "Team Red", "type": 2, "permission_overwrites": private}

    voice = answer(bot.post(f"{base}/channels", json=body), 201, S.VOICE_CHANNEL)

    assert (voice["type"], voice["bitrate"], voice["user_limit"], voice["rtc_region"]) == (2, 64000, 0, None)
    assert answer(bot.get(f"/channels/{voice['id']}"), 200, S.VOICE_CHANNEL)["name"] == "Team Red"
    assert ctl.permissions_in(voice["id"], world.alice)["view_channel"] is False
    url = f"/channels/{voice['id']}/permissions/{world.alice}"
    answer(bot.put(url, json={"type": 1, "allow": str(VIEW), "deny": "0"}), 204, None)
    assert ctl.permissions_in(voice["id"], world.alice)["view_channel"] is True
    text = answer(bot.get(f"/channels/{world.channel_id}"), 200, S.GUILD_CHANNEL)
    assert "bitrate" not in text  # a text channel has none


def test_active_guild_threads_list_public_and_private_threads_newest_first(world):
    ctl, bot, channel = world.control, world.bot, world.channel_id
    public = bot.post(f"/channels/{channel}/threads", json={"name": "Lifts", "type": 11}).json()
    private = bot.post(f"/channels/{channel}/threads", json={"name": "Team Red", "type": 12}).json()
    theirs = ctl.start_thread(channel, world.alice, "Alice's", type=12)  # the bot is not in it
    done = bot.post(f"/channels/{channel}/threads", json={"name": "Done", "type": 11}).json()
    bot.patch(f"/channels/{done['id']}", json={"archived": True})

    listed = answer(bot.get(f"/guilds/{world.guild_id}/threads/active"), 200, S.THREADS)

    ids = [t["id"] for t in listed["threads"]]
    assert private["id"] in ids and public["id"] in ids and done["id"] not in ids
    assert ids == sorted(ids, key=int, reverse=True)
    assert (theirs["id"] in ids) is True  # the bot's Manage Threads lets it see private threads
    assert {m["id"] for m in listed["members"]} == {public["id"], private["id"]}
