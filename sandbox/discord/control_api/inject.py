"""Control API: inject interactions (slash command, button, select, modal, autocomplete).

Commands are looked up among those the bot registered, so option types, ids and
``resolved`` data come out as Discord would send them. What Discord's client would never
send is refused with a 400 naming the bound: an option outside its declared
``min_value``/``max_value``/``min_length``/``max_length`` or not among its ``choices``, a
select value that is not one of the menu's options or outside ``min_values``/``max_values``,
and a modal submission that misses a required input, breaks an input's length bounds or
names an input the modal does not have.
"""

from __future__ import annotations

from aiohttp import web

from .. import payloads, permissions
from ..world import interactions as ix_world
from . import common as c

routes = web.RouteTableDef()

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


def _find_command(state, guild_id: int | None, name: str, kind: int) -> dict:
    candidates = [*(state.guild_commands.get(guild_id, []) if guild_id else []), *state.global_commands]
    for command in candidates:
        if command["name"] == name and command["type"] == kind:
            return command
    raise c.ControlError(404, f"command {name!r} (type {kind}) is not registered; sync the command tree first")


def _schema_for(command: dict, path: list[str]) -> list[dict]:
    options = command.get("options") or []
    for part in path:
        match = next((o for o in options if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)), None)
        if match is None:
            raise c.ControlError(400, f"/{command['name']} has no subcommand {part!r}")
        options = match.get("options") or []
    if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options):
        raise c.ControlError(400, f"/{command['name']} needs a subcommand (pass subcommand='group sub' or 'sub')")
    return options


def _resolve(state, guild, channel, kind: int, value, resolved: dict) -> str:
    """Fill ``resolved`` for a user/channel/role/mentionable option; return the id string."""
    target = c.as_id(value, "option value")
    if kind in (USER, MENTIONABLE) and target in state.users:
        resolved.setdefault("users", {})[str(target)] = payloads.user(state.users[target])
        member = guild.members.get(target) if guild else None
        if member is not None:
            perms = permissions.in_channel(guild, member, channel, state.channels)
            data = payloads.member(member, state.users, with_user=False, perms=perms)
            resolved.setdefault("members", {})[str(target)] = data
    elif kind in (ROLE, MENTIONABLE) and guild and target in guild.roles:
        resolved.setdefault("roles", {})[str(target)] = payloads.role(guild.roles[target])
    elif kind == CHANNEL and target in state.channels:
        found = state.channels[target]
        resolved.setdefault("channels", {})[str(target)] = {
            "id": str(found.id),
            "name": found.name,
            "type": found.type,
            "permissions": str(permissions.ALL),
            "parent_id": str(found.parent_id) if found.parent_id else None,
            "guild_id": str(found.guild_id) if found.guild_id else None,
        }
    else:
        raise c.ControlError(400, f"option value {value} does not name a known {kind=} target")
    return str(target)


def _scalar(name: str, kind: int, value):
    """An option value as Discord types it; a value that cannot be that type is a 400."""
    try:
        if kind == BOOLEAN:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if isinstance(value, bool):
                return value
            raise ValueError
        if kind == INTEGER:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if kind == NUMBER:
            return float(value)
        if kind == STRING:
            return str(value)
    except (TypeError, ValueError):
        kinds = {BOOLEAN: "a boolean", INTEGER: "an integer", NUMBER: "a number"}
        raise c.ControlError(400, f"option {name!r} expects {kinds.get(kind, 'another type')}, got {value!r}") from None
    return value


def _check_bounds(option: dict, value) -> None:
    """Refuse a value Discord's client would not send for this declared option."""
    name = option["name"]
    choices = option.get("choices")
    if choices:
        allowed = [choice["value"] for choice in choices]
        if value not in allowed:
            names = ", ".join(repr(choice["value"]) for choice in choices)
            raise c.ControlError(400, f"option {name!r} must be one of its choices ({names}), got {value!r}")
        return
    if isinstance(value, str):
        low, high = option.get("min_length"), option.get("max_length")
        if low is not None and len(value) < low:
            raise c.ControlError(400, f"option {name!r} must be at least {low} characters long, got {len(value)}")
        if high is not None and len(value) > high:
            raise c.ControlError(400, f"option {name!r} must be at most {high} characters long, got {len(value)}")
    elif not isinstance(value, bool):
        low, high = option.get("min_value"), option.get("max_value")
        if low is not None and value < low:
            raise c.ControlError(400, f"option {name!r} must be at least {low}, got {value}")
        if high is not None and value > high:
            raise c.ControlError(400, f"option {name!r} must be at most {high}, got {value}")


def _typed_options(state, guild, channel, schema, values: dict, focused: str | None, resolved: dict) -> list[dict]:
    by_name = {o["name"]: o for o in schema}
    result = []
    for name, value in values.items():
        option = by_name.get(name)
        if option is None:
            raise c.ControlError(400, f"unknown option {name!r}; the command has {sorted(by_name)}")
        kind = option["type"]
        item = {"name": name, "type": kind}
        if name == focused:
            item.update(value=str(value), focused=True)
        elif kind in (USER, CHANNEL, ROLE, MENTIONABLE):
            item["value"] = _resolve(state, guild, channel, kind, value, resolved)
        else:
            item["value"] = _scalar(name, kind, value)
            _check_bounds(option, item["value"])
        result.append(item)
    if focused is None:
        missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
        if missing:
            raise c.ControlError(400, f"required options missing: {missing}")
    return result


def command_data(state, guild, channel, data: dict, *, focused: str | None = None) -> dict:
    """The ``data`` of an application command or autocomplete interaction."""
    kind = int(data.get("command_type", 1))
    command = _find_command(state, guild.id if guild else None, data["name"], kind)
    path = (data.get("subcommand") or "").split()
    resolved: dict = {}
    options = data.get("options") or {}
    if isinstance(options, dict):
        schema = _schema_for(command, path)
        options = _typed_options(state, guild, channel, schema, options, focused, resolved)
        for depth, part in reversed(list(enumerate(path))):
            group = len(path) == 2 and depth == 0
            options = [{"type": SUB_COMMAND_GROUP if group else SUB_COMMAND, "name": part, "options": options}]
    result = {"id": command["id"], "name": command["name"], "type": kind, "options": options}
    if "guild_id" in command:
        result["guild_id"] = command["guild_id"]
    if data.get("target_id"):
        result["target_id"] = str(data["target_id"])
        target = c.as_id(data["target_id"], "target_id")
        if kind == 3 and target in state.messages:
            resolved["messages"] = {str(target): state.message_payload(state.messages[target])}
        elif kind == 2:
            _resolve(state, guild, channel, USER, target, resolved)
    if resolved:
        result["resolved"] = resolved
    return result


def _context(state, data: dict):
    """Channel, guild and user of an injected interaction; the user must be able to be there."""
    channel = c.channel(state, data.get("channel_id"))
    user = c.user(state, data.get("user_id"))
    guild = state.guilds.get(channel.guild_id) if channel.guild_id else None
    if guild is not None and user.id not in guild.members:
        raise c.ControlError(400, f"user {user.id} is not a member of guild {guild.id}")
    return channel, guild, user


def _created(state, interaction) -> web.Response:
    payload = ix_world.interaction_payload(state, interaction)
    return c.ok({"id": str(interaction.id), "token": interaction.token, "payload": payload}, status=201)


@routes.post("/_control/interactions/command")
async def inject_command(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    channel, guild, user = _context(state, data)
    command = command_data(state, guild, channel, data)
    trigger = ix_world.Trigger(ix_world.APPLICATION_COMMAND, channel.id, user.id, command)
    interaction = ix_world.create_interaction(state, trigger)
    return _created(state, interaction)


@routes.post("/_control/interactions/autocomplete")
async def inject_autocomplete(request: web.Request) -> web.Response:
    state, data = request.app["state"], await c.body(request)
    channel, guild, user = _context(state, data)
    if not data.get("focused"):
        raise c.ControlError(400, "focused (the option being typed) is required")
    command = command_data(state, guild, channel, data, focused=data["focused"])
    trigger = ix_world.Trigger(ix_world.AUTOCOMPLETE, channel.id, user.id, command)
    interaction = ix_world.create_interaction(state, trigger)
    return _created(state, interaction)


def _find_component(rows: list[dict], custom_id: str) -> dict | None:
    for item in rows:
        if item.get("custom_id") == custom_id:
            return item
        found = _find_component(item.get("components") or [], custom_id)
        if found is None and item.get("accessory"):
            found = _find_component([item["accessory"]], custom_id)
        if found is not None:
            return found
    return None


def _check_select(component: dict, values: list[str]) -> None:
    """Refuse a choice the menu does not offer, or too few or too many of them."""
    if component.get("disabled"):
        raise c.ControlError(400, f"the menu {component['custom_id']!r} is disabled")
    low, high = component.get("min_values", 1), component.get("max_values", 1)
    if not low <= len(values) <= high:
        raise c.ControlError(
            400, f"the menu {component['custom_id']!r} takes {low} to {high} values, got {len(values)}"
        )
    if component["type"] == 3:
        offered = [option["value"] for option in component.get("options") or []]
        unknown = [v for v in values if v not in offered]
        if unknown:
            raise c.ControlError(400, f"the menu {component['custom_id']!r} has no option {unknown[0]!r}")


def _text_inputs(components: list[dict]) -> list[dict]:
    """The text inputs of a modal, in order (inside action rows or labels)."""
    found = []
    for item in components:
        if item.get("type") == 4:
            found.append(item)
        found.extend(_text_inputs(item.get("components") or []))
        if item.get("component"):
            found.extend(_text_inputs([item["component"]]))
    return found


def _modal_values(modal: dict, fields: dict) -> dict[str, str]:
    """Every input's value as Discord submits it ("" for an empty optional one), or a 400."""
    inputs = _text_inputs(modal.get("components") or [])
    declared = {item["custom_id"] for item in inputs}
    unknown = [key for key in fields if key not in declared]
    if unknown:
        raise c.ControlError(400, f"the modal {modal.get('custom_id')!r} has no input {unknown[0]!r}")
    values = {}
    for item in inputs:
        key = item["custom_id"]
        value = str(fields.get(key) or "")
        label = item.get("label") or key
        if not value:
            if item.get("required", True):
                raise c.ControlError(400, f"the input {label!r} ({key}) is required")
        else:
            low, high = item.get("min_length"), item.get("max_length")
            if low is not None and len(value) < low:
                raise c.ControlError(
                    400, f"the input {label!r} ({key}) needs at least {low} characters, got {len(value)}"
                )
            if high is not None and len(value) > high:
                raise c.ControlError(
                    400, f"the input {label!r} ({key}) takes at most {high} characters, got {len(value)}"
                )
        values[key] = value
    return values


@routes.post("/_control/interactions/component")
async def inject_component(request: web.Request) -> web.Response:
    """Click a button or choose in a select on an existing message."""
    state, data = request.app["state"], await c.body(request)
    message = c.message(state, data.get("message_id"))
    data.setdefault("channel_id", message.channel_id)
    channel, _, user = _context(state, data)
    component = _find_component(message.components, data.get("custom_id"))
    if component is None:
        raise c.ControlError(400, f"message {message.id} has no component with custom_id {data.get('custom_id')!r}")
    payload = {"custom_id": component["custom_id"], "component_type": component["type"]}
    if component["type"] != 2:
        payload["values"] = [str(v) for v in data.get("values") or []]
        _check_select(component, payload["values"])
    trigger = ix_world.Trigger(ix_world.MESSAGE_COMPONENT, channel.id, user.id, payload, message_id=message.id)
    interaction = ix_world.create_interaction(state, trigger)
    return _created(state, interaction)


@routes.post("/_control/interactions/modal")
async def inject_modal_submit(request: web.Request) -> web.Response:
    """Submit a modal: ``fields`` maps each text input's custom_id to the typed value.

    Only a modal the bot opened for this user can be submitted (the submit names the
    interaction that opened it, as Discord's ``triggering_interaction_metadata`` does). With
    ``forged``, the latest modal opened for this user is submitted under a custom_id of the
    client's own making (Discord does not document refusing it): for tests that the bot
    checks what an id carries.
    """
    state, data = request.app["state"], await c.body(request)
    channel, _, user = _context(state, data)
    opened_by = state.open_modals.get((user.id, data.get("custom_id")))
    if opened_by is None and data.get("forged"):
        opened_by = max((ix for (owner, _), ix in state.open_modals.items() if owner == user.id), default=None)
    if opened_by is None:
        raise c.ControlError(400, f"no modal {data.get('custom_id')!r} was opened for user {user.id}")
    opener = state.interactions.get(opened_by)
    modal = ((opener.response or {}).get("data") or {}) if opener is not None else {}
    rows = []
    for i, (key, value) in enumerate(_modal_values(modal, data.get("fields") or {}).items()):
        text_input = {"type": 4, "id": 2 * i + 2, "custom_id": key, "value": str(value)}
        rows.append({"type": 1, "id": 2 * i + 1, "components": [text_input]})
    payload = {"custom_id": data.get("custom_id"), "components": rows}
    message_id = int(data["message_id"]) if data.get("message_id") else None
    trigger = ix_world.Trigger(
        ix_world.MODAL_SUBMIT, channel.id, user.id, payload, message_id=message_id, opened_by=opened_by
    )
    interaction = ix_world.create_interaction(state, trigger)
    return _created(state, interaction)
