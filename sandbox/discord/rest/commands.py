"""Application commands: bulk overwrite (PUT) and list, global and per guild."""

from __future__ import annotations

import re

from aiohttp import web

from .errors import field_error, invalid_form_body, json_response, missing_access, unknown
from .routing import RouteTable, read_json, snowflake

routes = RouteTable()

CHAT_INPUT = 1
NAME = re.compile(r"^[-_'\w]{1,32}$", re.UNICODE)


def _check_application(request: web.Request) -> None:
    if snowflake(request, "application_id") != request.app["state"].application_id:
        raise missing_access()


def _guild(request: web.Request):
    state = request.app["state"]
    guild = state.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise unknown("Guild")
    if not guild.has_bot:
        raise missing_access()
    return guild


def _validate(commands) -> dict:
    if not isinstance(commands, list):
        return {"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Only iterables may be used in a ListType"}]}
    errors: dict = {}
    seen = set()
    if sum(1 for c in commands if c.get("type", CHAT_INPUT) == CHAT_INPUT) > 100:
        return field_error("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    for i, command in enumerate(commands):
        kind = command.get("type", CHAT_INPUT)
        name = command.get("name") or ""
        problems = {}
        if kind == CHAT_INPUT and (not NAME.match(name) or name != name.lower()):
            problems["name"] = field_error("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if kind == CHAT_INPUT and not 1 <= len(command.get("description") or "") <= 100:
            problems["description"] = field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if len(command.get("options") or []) > 25:
            problems["options"] = field_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if (kind, name) in seen:
            problems["name"] = field_error(
                "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Application command names must be unique ({name})"
            )
        seen.add((kind, name))
        if problems:
            errors[str(i)] = problems
    return errors


def _overwrite(state, old: list[dict], new: list[dict], guild_id: int | None) -> list[dict]:
    """Replace the set; a command keeps its id when its name and type stay the same."""
    previous = {(c["type"], c["name"]): c for c in old}
    result = []
    for command in new:
        kind = command.get("type", CHAT_INPUT)
        kept = previous.get((kind, command["name"]))
        stored = {
            "id": kept["id"] if kept else str(state.ids.next()),
            "application_id": str(state.application_id),
            "version": str(state.ids.next()),
            "type": kind,
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": command.get("options") or [],
            "default_member_permissions": command.get("default_member_permissions"),
            "nsfw": bool(command.get("nsfw", False)),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        else:
            stored["dm_permission"] = command.get("dm_permission", True)
        result.append(stored)
    return result


@routes.route("PUT", "/applications/{application_id}/commands", bucket="commands")
async def overwrite_global_commands(request: web.Request) -> web.Response:
    _check_application(request)
    state = request.app["state"]
    body = await read_json(request)
    errors = _validate(body)
    if errors:
        raise invalid_form_body(errors)
    state.global_commands = _overwrite(state, state.global_commands, body, None)
    state.changed()
    return json_response(state.global_commands)


@routes.route("GET", "/applications/{application_id}/commands", bucket="commands")
async def list_global_commands(request: web.Request) -> web.Response:
    _check_application(request)
    return json_response(request.app["state"].global_commands)


@routes.route("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", bucket="commands")
async def overwrite_guild_commands(request: web.Request) -> web.Response:
    _check_application(request)
    state = request.app["state"]
    guild = _guild(request)
    body = await read_json(request)
    errors = _validate(body)
    if errors:
        raise invalid_form_body(errors)
    state.guild_commands[guild.id] = _overwrite(state, state.guild_commands.get(guild.id, []), body, guild.id)
    state.changed()
    return json_response(state.guild_commands[guild.id])


@routes.route("GET", "/applications/{application_id}/guilds/{guild_id}/commands", bucket="commands")
async def list_guild_commands(request: web.Request) -> web.Response:
    _check_application(request)
    guild = _guild(request)
    return json_response(request.app["state"].guild_commands.get(guild.id, []))
