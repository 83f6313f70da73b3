"""Guild channels, roles and members, as the bot sees and changes them."""

from __future__ import annotations

from aiohttp import web

from .. import payloads
from .. import permissions as P
from ..models import GUILD_CATEGORY, GUILD_TEXT, GUILD_VOICE
from ..world import guilds as guild_world
from .channels import check_overwrites, check_parent
from .errors import (
    field_error,
    invalid_form_body,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
    unknown,
)
from .routing import RouteTable, body_int, int_query, read_json, snowflake

routes = RouteTable()
CREATABLE_TYPES = (GUILD_TEXT, GUILD_VOICE, GUILD_CATEGORY)
ROLE_FIELDS = ("name", "color", "hoist", "mentionable")


def guild_for_bot(request: web.Request, *, need: int = 0):
    """The path's guild if the bot is in it; ``need`` is a guild-level permission to check."""
    state = request.app["state"]
    guild = state.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise unknown("Guild")
    if not guild.has_bot:
        raise missing_access()
    if need and P.base_permissions(guild, guild.members[state.bot.id]) & need != need:
        raise missing_permissions()
    return state, guild


@routes.route("GET", "/guilds/{guild_id}")
async def get_guild(request: web.Request) -> web.Response:
    """The guild; ``with_counts=true`` (discord.py's ``fetch_guild`` default) adds the counts."""
    _, guild = guild_for_bot(request)
    if request.query.get("with_counts", "false").lower() in ("1", "true"):
        return json_response(payloads.guild_with_counts(guild))
    return json_response(payloads.guild_base(guild))


@routes.route("GET", "/guilds/{guild_id}/channels")
async def list_channels(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request)
    return json_response([state.channel_payload(state.channels[c]) for c in guild.channel_ids])


@routes.route("POST", "/guilds/{guild_id}/channels", bucket="channels")
async def create_channel(request: web.Request) -> web.Response:
    """A text (0), voice (2) or category (4) channel, under ``parent_id`` (a category) and with
    ``permission_overwrites`` (which need Manage Roles, and only bits the bot has: 50013).
    """
    state, guild = guild_for_bot(request, need=P.MANAGE_CHANNELS)
    body = await read_json(request)
    name = body.get("name") or ""
    if not 1 <= len(name) <= 100:
        raise invalid_form_body({"name": field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")})
    kind = body_int(body.get("type") or 0, "type")
    if kind not in CREATABLE_TYPES:
        raise invalid_form_body({"type": field_error("BASE_TYPE_CHOICES", "Value must be one of (0, 2, 4).")})
    fields = {k: body[k] for k in ("topic", "nsfw", "permission_overwrites") if body.get(k) is not None}
    if not isinstance(fields.get("permission_overwrites", []), list):
        raise invalid_form_body({"permission_overwrites": field_error("BASE_TYPE_ARRAY", "Must be an array.")})
    if fields.get("permission_overwrites"):
        check_overwrites(state, guild.id, fields["permission_overwrites"])
    if body.get("parent_id"):
        fields["parent_id"] = check_parent(state, guild.id, body["parent_id"], kind)
    channel = guild_world.create_channel(state, guild, name, type=kind, **fields)
    return json_response(state.channel_payload(channel), status=201)


@routes.route("GET", "/guilds/{guild_id}/roles")
async def list_roles(request: web.Request) -> web.Response:
    _, guild = guild_for_bot(request)
    return json_response([payloads.role(r) for r in sorted(guild.roles.values(), key=lambda r: r.position)])


def _role_fields(body: dict) -> dict:
    fields = {k: body[k] for k in ROLE_FIELDS if body.get(k) is not None}
    if body.get("permissions") is not None:
        fields["permissions"] = int(body["permissions"])
    return fields


@routes.route("POST", "/guilds/{guild_id}/roles", bucket="roles")
async def create_role(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request, need=P.MANAGE_ROLES)
    body = await read_json(request)
    fields = _role_fields(body)
    _grantable(state, guild, fields.get("permissions", 0))
    name = fields.pop("name", None) or "new role"
    return json_response(payloads.role(guild_world.create_role(state, guild, name, **fields)))


def _role(request: web.Request, guild):
    role = guild.roles.get(snowflake(request, "role_id"))
    if role is None:
        raise unknown("Role")
    return role


@routes.route("PATCH", "/guilds/{guild_id}/roles/{role_id}", bucket="roles")
async def edit_role(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request, need=P.MANAGE_ROLES)
    role = _role(request, guild)
    _assignable(state, guild, role)
    body = await read_json(request)
    fields = _role_fields(body)
    _grantable(state, guild, fields.get("permissions", 0))
    return json_response(payloads.role(guild_world.update_role(state, guild, role, **fields)))


def _grantable(state, guild, permissions: int) -> None:
    """A bot may only give a role permissions it has itself (50013), administrators aside."""
    have = P.base_permissions(guild, guild.members[state.bot.id])
    if permissions & ~have:
        raise missing_permissions()


@routes.route("DELETE", "/guilds/{guild_id}/roles/{role_id}", bucket="roles")
async def delete_role(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request, need=P.MANAGE_ROLES)
    role = _role(request, guild)
    if role.id == guild.id or role.managed:
        raise invalid_form_body({"role_id": field_error("INVALID_ROLE", "Cannot delete this role")})
    guild_world.delete_role(state, guild, role)
    return no_content()


@routes.route("GET", "/guilds/{guild_id}/members", bucket="members")
async def list_members(request: web.Request) -> web.Response:
    """Members by user id, ``limit`` 1-1000 after ``after`` (needs GUILD_MEMBERS on Discord)."""
    state, guild = guild_for_bot(request)
    limit = int_query(request, "limit", 1)
    after = int_query(request, "after", 0)
    members = sorted((m for m in guild.members.values() if m.user_id > after), key=lambda m: m.user_id)
    return json_response([state.member_payload(m) for m in members[: max(1, min(limit, 1000))]])


def _member(request: web.Request, guild):
    member = guild.members.get(snowflake(request, "user_id"))
    if member is None:
        raise unknown("Member")
    return member


@routes.route("GET", "/guilds/{guild_id}/members/{user_id}", bucket="members")
async def get_member(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request)
    return json_response(state.member_payload(_member(request, guild)))


def _assignable(state, guild, role) -> None:
    """The bot may only hand out roles below its own highest role, and never managed ones."""
    bot = guild.members[state.bot.id]
    top = max((guild.roles[r].position for r in bot.roles if r in guild.roles), default=0)
    if guild.owner_id != state.bot.id and (role.managed or role.position >= top):
        raise missing_permissions()


@routes.route("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", bucket="member_roles")
async def add_member_role(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request, need=P.MANAGE_ROLES)
    member, role = _member(request, guild), _role(request, guild)
    _assignable(state, guild, role)
    if role.id not in member.roles:
        guild_world.update_member(state, guild, member, roles=[*member.roles, role.id])
    return no_content()


@routes.route("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", bucket="member_roles")
async def remove_member_role(request: web.Request) -> web.Response:
    state, guild = guild_for_bot(request, need=P.MANAGE_ROLES)
    member, role = _member(request, guild), _role(request, guild)
    _assignable(state, guild, role)
    if role.id in member.roles:
        guild_world.update_member(state, guild, member, roles=[r for r in member.roles if r != role.id])
    return no_content()


@routes.route("PATCH", "/guilds/{guild_id}/members/{user_id}", bucket="members")
async def edit_member(request: web.Request) -> web.Response:
    """Replace a member's ``roles`` (Manage Roles; every role added or taken away must be below
    the bot's highest) and/or set ``nick`` (Manage Nicknames); GUILD_MEMBER_UPDATE.
    """
    state, guild = guild_for_bot(request)
    member = _member(request, guild)
    body = await read_json(request)
    have = P.base_permissions(guild, guild.members[state.bot.id])
    fields = {}
    if body.get("roles") is not None:
        if not have & P.MANAGE_ROLES:
            raise missing_permissions()
        wanted = []
        if not isinstance(body["roles"], list):
            raise invalid_form_body({"roles": field_error("BASE_TYPE_ARRAY", "Must be an array.")})
        for i, raw in enumerate(body["roles"]):
            role = guild.roles.get(body_int(raw, "roles", str(i)))
            if role is None or role.id == guild.id:
                raise unknown("Role")
            if role.id not in wanted:
                wanted.append(role.id)
        for role_id in set(wanted) ^ set(member.roles):
            if role_id in guild.roles:
                _assignable(state, guild, guild.roles[role_id])
        fields["roles"] = wanted
    if "nick" in body:
        nick = body["nick"] or None
        if nick is not None and len(nick) > 32:
            raise invalid_form_body({"nick": field_error("BASE_TYPE_MAX_LENGTH", "Must be 32 or fewer in length.")})
        if not have & P.MANAGE_NICKNAMES:
            raise missing_permissions()
        fields["nick"] = nick
    if fields:
        guild_world.update_member(state, guild, member, **fields)
    return json_response(state.member_payload(member))
