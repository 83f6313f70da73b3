"""The plain JSON payload the gateway publishes for each interaction.

Everything a worker needs, nothing discord.py-specific; ``Interaction.from_payload``
rebuilds it on the worker side. Snowflakes are integers (Python on both ends).
"""

from __future__ import annotations

import discord

from core.interactions.values import PAYLOAD_VERSION

KINDS = {
    discord.InteractionType.application_command: "command",
    discord.InteractionType.component: "component",
    discord.InteractionType.modal_submit: "modal",
}

SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2


def kind_of(interaction: discord.Interaction) -> str | None:
    """ "command", "component" or "modal"; None for what the gateway does not forward."""
    return KINDS.get(interaction.type)


def build(interaction: discord.Interaction, *, ephemeral: bool, acked_at: float) -> dict:
    """The payload for one interaction, already acknowledged (deferred) at ``acked_at``."""
    data = dict(interaction.data or {})
    kind = kind_of(interaction)
    payload = {
        "v": PAYLOAD_VERSION,
        "id": interaction.id,
        "token": interaction.token,
        "application_id": interaction.application_id,
        "kind": kind,
        "guild_id": interaction.guild_id,
        "guild_name": interaction.guild.name if interaction.guild and interaction.guild.name else "",
        "channel_id": interaction.channel_id,
        "member": _member(interaction),
        "locale": str(interaction.locale),
        "ephemeral": ephemeral,
        "created_at": interaction.created_at.timestamp(),
        "acked_at": acked_at,
    }
    if kind == "command":
        names, options = _command(data)
        payload["command"] = " ".join(names)
        payload["options"] = options
    elif kind == "component":
        payload["custom_id"] = data.get("custom_id", "")
        payload["values"] = list(data.get("values") or [])
    elif kind == "modal":
        payload["custom_id"] = data.get("custom_id", "")
        payload["fields"] = _modal_fields(data.get("components") or [])
    if interaction.message is not None:
        payload["message_id"] = interaction.message.id
    return payload


def _member(interaction: discord.Interaction) -> dict:
    user = interaction.user
    return {
        "id": user.id,
        "username": user.name,
        "display_name": user.global_name or "",
        "nick": getattr(user, "nick", None) or "",
        # Member._roles holds the ids straight from the payload, even for an uncached guild.
        "roles": [int(role_id) for role_id in getattr(user, "_roles", ())],
        "permissions": interaction.permissions.value,
    }


def _command(data: dict) -> tuple[list[str], dict]:
    """(["event", "create"], {"title": "Picnic"}) from an application command's data."""
    names = [data.get("name", "")]
    options = data.get("options") or []
    while len(options) == 1 and options[0].get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP):
        names.append(options[0]["name"])
        options = options[0].get("options") or []
    return names, {option["name"]: option.get("value") for option in options}


def _modal_fields(components: list[dict]) -> dict:
    """custom_id -> value for every input of a submitted modal (rows or labels, any depth)."""
    fields: dict = {}
    for component in components:
        if "custom_id" in component and ("value" in component or "values" in component):
            fields[component["custom_id"]] = component.get("value", component.get("values"))
        for key in ("components", "component"):
            child = component.get(key)
            if isinstance(child, list):
                fields.update(_modal_fields(child))
            elif isinstance(child, dict):
                fields.update(_modal_fields([child]))
    return fields
