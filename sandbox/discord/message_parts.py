"""Embeds and components as Discord stores them and hands them back.

Discord does not echo a message's parts as sent: every component gets a numeric ``id``
(sequential in tree order, skipping ids the sender chose, 0 meaning "pick one"), selects get
their ``min_values``/``max_values`` defaults, and every embed a ``type`` (``"rich"`` for
what bots send) and its fields an ``inline``. Follows ``MessageResponse`` of
discord/discord-api-spec (``ActionRowComponentResponse``, ``ButtonComponentResponse``,
``*SelectComponentResponse``, ``MessageEmbedResponse``, ``MessageEmbedFieldResponse``,
``MessageReferenceResponse``) and
the components reference of discord-api-docs ("generated sequentially if left empty").
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

SELECTS = (3, 5, 6, 7, 8)
TEXT_INPUT = 4


def stored_embeds(embeds: list[dict] | None) -> list[dict]:
    """Embeds as a message object carries them."""
    result = []
    for embed in embeds or []:
        stored = {k: v for k, v in embed.items() if v is not None}
        stored.setdefault("type", "rich")
        if "fields" in stored:
            stored["fields"] = [{"inline": False, **f} for f in stored["fields"]]
        result.append(stored)
    return result


def stored_reference(reference: dict | None, channel) -> dict | None:
    """``message_reference`` as ``MessageReferenceResponse`` has it: ``type`` (0, a reply) and
    ``channel_id`` always, the request-only ``fail_if_not_exists`` gone.
    """
    if not reference:
        return None
    stored = {"type": int(reference.get("type") or 0), "channel_id": str(reference.get("channel_id") or channel.id)}
    for key in ("message_id", "guild_id"):
        if reference.get(key) is not None:
            stored[key] = str(reference[key])
    if "guild_id" not in stored and channel.guild_id is not None:
        stored["guild_id"] = str(channel.guild_id)
    return stored


def stored_components(components: list[dict] | None) -> list[dict]:
    """Components with their ids and defaults filled in (the caller's list is not changed)."""
    tree = copy.deepcopy(list(components or []))
    taken = {c["id"] for c in _walk(tree) if c.get("id")}
    next_id = 1
    for component in _walk(tree):
        if not component.get("id"):
            while next_id in taken:
                next_id += 1
            component["id"] = next_id
            taken.add(next_id)
        if component.get("type") in SELECTS:
            component.setdefault("min_values", 1)
            component.setdefault("max_values", 1)
        if component.get("type") == TEXT_INPUT:
            component.setdefault("min_length", 0)
            component.setdefault("max_length", 4000)
    return tree


def _walk(components: list[dict]) -> Iterator[dict]:
    """Every component, parents before their children (the order Discord numbers them)."""
    for component in components:
        yield component
        yield from _walk(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            yield from _walk([component["accessory"]])
