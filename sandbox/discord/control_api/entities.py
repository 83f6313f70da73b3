"""Control API: create and change users, guilds, channels, roles, members and messages."""

from __future__ import annotations

from aiohttp import web

from .. import payloads
from ..gateway import intents as I
from ..world import guilds as world
from ..world import messages as message_world
from . import common as c

routes = web.RouteTableDef()


def guild_view(state, guild) -> dict:
    """A guild with its channels, roles and members, ids as strings."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "owner_id": str(guild.owner_id),
        "bot_present": guild.has_bot,
        "channels": [payloads.channel(state.channels[ch]) for ch in guild.channel_ids],
        "roles": [payloads.role(r) for r in guild.roles.values()],
        "members": [state.member_payload(m) for m in guild.members.values()],
    }


def user_view(user) -> dict:
    return {**payloads.user(user), "dms_open": user.dms_open}


@routes.post("/_control/users")
async def create_user(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    user = world.create_user(
        state,
        data.get("username") or "user",
        user_id=int(data["id"]) if data.get("id") else None,
        dms_open=bool(data.get("dms_open", True)),
        global_name=data.get("global_name"),
    )
    return c.ok(user_view(user), status=201)


@routes.patch("/_control/users/{user_id}")
async def update_user(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    user = c.user(state, request.match_info["user_id"])
    if "dms_open" in data:
        user.dms_open = bool(data["dms_open"])
    state.changed()
    return c.ok(user_view(user))


@routes.post("/_control/guilds")
async def create_guild(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    options = {}
    for key in ("everyone_permissions", "bot_permissions"):
        if data.get(key) is not None:
            options[key] = int(data[key])
    guild = world.create_guild(
        state,
        data.get("name") or "Guild",
        guild_id=int(data["id"]) if data.get("id") else None,
        owner_id=int(data["owner_id"]) if data.get("owner_id") else None,
        with_bot=bool(data.get("with_bot", True)),
        channels=data.get("channels") or ["general"],
        **options,
    )
    return c.ok(guild_view(state, guild), status=201)


@routes.get("/_control/guilds/{guild_id}")
async def get_guild(request: web.Request) -> web.Response:
    state = request.app["state"]
    return c.ok(guild_view(state, c.guild(state, request.match_info["guild_id"])))


@routes.put("/_control/guilds/{guild_id}/bot")
async def add_bot(request: web.Request) -> web.Response:
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    world.add_bot(state, guild)
    return c.ok(guild_view(state, guild))


@routes.delete("/_control/guilds/{guild_id}/bot")
async def remove_bot(request: web.Request) -> web.Response:
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    world.remove_bot(state, guild)
    return c.ok(guild_view(state, guild))


@routes.post("/_control/guilds/{guild_id}/channels")
async def create_channel(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    guild = c.guild(state, request.match_info["guild_id"])
    fields = {k: data[k] for k in ("topic", "nsfw", "permission_overwrites") if k in data}
    if data.get("parent_id"):
        fields["parent_id"] = int(data["parent_id"])
    channel = world.create_channel(state, guild, data.get("name") or "channel", type=int(data.get("type", 0)), **fields)
    return c.ok(payloads.channel(channel), status=201)


@routes.patch("/_control/channels/{channel_id}")
async def update_channel(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    channel = c.channel(state, request.match_info["channel_id"])
    fields = {k: data[k] for k in ("name", "topic", "nsfw", "permission_overwrites", "position") if k in data}
    if "parent_id" in data:
        fields["parent_id"] = c.channel(state, data["parent_id"]).id if data["parent_id"] else None
    return c.ok(payloads.channel(world.update_channel(state, channel, **fields)))


@routes.delete("/_control/channels/{channel_id}")
async def delete_channel(request: web.Request) -> web.Response:
    state = request.app["state"]
    world.delete_channel(state, c.channel(state, request.match_info["channel_id"]))
    return c.ok()


def _role_fields(data: dict) -> dict:
    fields = {k: data[k] for k in ("color", "hoist", "mentionable", "position") if k in data}
    if "permissions" in data:
        fields["permissions"] = int(data["permissions"])
    return fields


@routes.post("/_control/guilds/{guild_id}/roles")
async def create_role(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    guild = c.guild(state, request.match_info["guild_id"])
    role = world.create_role(state, guild, data.get("name") or "role", **_role_fields(data))
    return c.ok(payloads.role(role), status=201)


def _role(guild, role_id):
    role = guild.roles.get(c.as_id(role_id, "role_id"))
    if role is None:
        raise c.ControlError(404, f"no role {role_id} in guild {guild.id}")
    return role


@routes.patch("/_control/guilds/{guild_id}/roles/{role_id}")
async def update_role(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    guild = c.guild(state, request.match_info["guild_id"])
    role = _role(guild, request.match_info["role_id"])
    fields = _role_fields(data)
    if "name" in data:
        fields["name"] = data["name"]
    return c.ok(payloads.role(world.update_role(state, guild, role, **fields)))


@routes.delete("/_control/guilds/{guild_id}/roles/{role_id}")
async def delete_role(request: web.Request) -> web.Response:
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    world.delete_role(state, guild, _role(guild, request.match_info["role_id"]))
    return c.ok()


@routes.post("/_control/guilds/{guild_id}/members")
async def add_member(request: web.Request) -> web.Response:
    """Add an existing user (``user_id``) or a new one (``username``, ``dms_open``)."""
    state, data = request.app["state"], await c.body(request)
    guild = c.guild(state, request.match_info["guild_id"])
    if data.get("user_id"):
        user = c.user(state, data["user_id"])
    else:
        user = world.create_user(state, data.get("username") or "member", dms_open=bool(data.get("dms_open", True)))
    roles = [_role(guild, r).id for r in data.get("roles") or []]
    member = world.add_member(state, guild, user, roles=roles, nick=data.get("nick"))
    return c.ok({**state.member_payload(member), "dms_open": user.dms_open}, status=201)


@routes.patch("/_control/guilds/{guild_id}/members/{user_id}")
async def update_member(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    guild = c.guild(state, request.match_info["guild_id"])
    member = c.member(state, guild, request.match_info["user_id"])
    fields = {}
    if "roles" in data:
        fields["roles"] = [_role(guild, r).id for r in data["roles"]]
    if "nick" in data:
        fields["nick"] = data["nick"]
    return c.ok(state.member_payload(world.update_member(state, guild, member, **fields)))


@routes.delete("/_control/guilds/{guild_id}/members/{user_id}")
async def remove_member(request: web.Request) -> web.Response:
    state = request.app["state"]
    guild = c.guild(state, request.match_info["guild_id"])
    world.remove_member(state, guild, c.member(state, guild, request.match_info["user_id"]))
    return c.ok()


@routes.post("/_control/channels/{channel_id}/messages")
async def post_as_user(request: web.Request) -> web.Response:
    """A user (``author_id``) writes in a channel: MESSAGE_CREATE reaches the bot."""
    state, data = request.app["state"], await c.body(request)
    channel = c.channel(state, request.match_info["channel_id"])
    author = c.user(state, data.get("author_id"))
    message = message_world.post_message(state, channel, author.id, data)
    return c.ok(c.message_record(state, message), status=201)


@routes.patch("/_control/messages/{message_id}")
async def edit_as_user(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    message = c.message(state, request.match_info["message_id"])
    return c.ok(c.message_record(state, message_world.edit_message(state, message, data)))


@routes.delete("/_control/messages/{message_id}")
async def delete_as_user(request: web.Request) -> web.Response:
    state = request.app["state"]
    message_world.delete_message(state, c.message(state, request.match_info["message_id"]))
    return c.ok()


@routes.post("/_control/intents")
async def set_intents(request: web.Request) -> web.Response:
    """Enable or disable privileged intents: ``{"GUILD_MEMBERS": true, "MESSAGE_CONTENT": false}``."""
    state, data = request.app["state"], await c.body(request)
    for name, enabled in data.items():
        bit = I.PRIVILEGED_BY_NAME.get(name)
        if bit is None:
            raise c.ControlError(400, f"{name} is not a privileged intent ({', '.join(I.PRIVILEGED_BY_NAME)})")
        state.privileged_intents = state.privileged_intents | bit if enabled else state.privileged_intents & ~bit
    enabled_names = [n for n, b in I.PRIVILEGED_BY_NAME.items() if state.privileged_intents & b]
    return c.ok({"privileged_intents": enabled_names, "application_flags": state.application_flags()})
