"""Messages in guild and DM channels: create, edit (keeping history), delete, DM channels."""

from __future__ import annotations

import re

from .. import payloads
from ..clock import iso_now, stamp
from ..gateway import intents as I
from ..message_parts import stored_components, stored_embeds, stored_reference
from ..models import DM, Channel, Message, User

EDITABLE = ("content", "embeds", "components", "flags")
EPHEMERAL = 1 << 6
HAS_THREAD = 1 << 5


def open_dm(state, user: User) -> Channel:
    """The bot's DM channel with ``user`` (created once, like POST /users/@me/channels)."""
    channel_id = state.dm_channels.get(user.id)
    if channel_id is None:
        channel = Channel(state.ids.next(), DM, recipient_id=user.id)
        state.channels[channel.id] = channel
        state.dm_channels[user.id] = channel.id
        state.changed()
        return channel
    return state.channels[channel_id]


def post_message(state, channel: Channel, author_id: int, fields: dict, **meta) -> Message:
    """Store a message and send MESSAGE_CREATE (ephemeral messages reach no one but the user)."""
    message = Message(
        state.ids.next(),
        channel.id,
        author_id,
        guild_id=channel.guild_id,
        content=fields.get("content") or "",
        embeds=stored_embeds(fields.get("embeds")),
        components=stored_components(fields.get("components")),
        flags=int(fields.get("flags") or 0),
        tts=bool(fields.get("tts")),
        nonce=fields.get("nonce"),
        message_reference=stored_reference(fields.get("message_reference"), channel),
        **meta,
    )
    state.messages[message.id] = message
    state.channel_messages.setdefault(channel.id, []).append(message.id)
    if not message.ephemeral:
        channel.last_message_id = message.id
        if channel.is_thread:
            channel.message_count += 1
        _dispatch(state, "MESSAGE_CREATE", message)
    state.changed()
    return message


def edit_message(state, message: Message, fields: dict) -> Message:
    """Apply an edit, keeping the replaced version in ``history``; MESSAGE_UPDATE."""
    changes = {k: fields[k] for k in EDITABLE if k in fields}
    if changes.get("embeds") is not None:
        changes["embeds"] = stored_embeds(changes["embeds"])
    if changes.get("components") is not None:
        changes["components"] = stored_components(changes["components"])
    if "flags" in changes:
        # Only SUPPRESS_EMBEDS can be toggled by an edit; the rest stays as it was.
        changes["flags"] = (message.flags & ~4) | (int(changes["flags"] or 0) & 4)
    message.history.append({**{k: getattr(message, k) for k in EDITABLE}, "replaced_at": stamp()})
    for key, value in changes.items():
        setattr(message, key, value if value is not None else ([] if key != "content" else ""))
    message.edited_timestamp = iso_now()
    if not message.ephemeral:
        _dispatch(state, "MESSAGE_UPDATE", message)
    state.changed()
    return message


def thread_started(state, message: Message) -> None:
    """A thread was started from ``message``: the HAS_THREAD flag, its ``thread``, MESSAGE_UPDATE."""
    message.flags |= HAS_THREAD
    _dispatch(state, "MESSAGE_UPDATE", message)
    state.changed()


def delete_message(state, message: Message) -> None:
    """Mark deleted (the control API still shows it); MESSAGE_DELETE."""
    message.deleted = True
    message.history.append({"deleted_at": stamp()})
    if not message.ephemeral:
        data = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id:
            data["guild_id"] = str(message.guild_id)
        state.hub.dispatch("MESSAGE_DELETE", data, guild_id=message.guild_id, intent=_intent(message))
    state.changed()


def visible_messages(state, channel_id: int) -> list[Message]:
    """What GET /channels/{id}/messages shows: not deleted, not ephemeral."""
    ids = state.channel_messages.get(channel_id, [])
    return [m for m in (state.messages[i] for i in ids) if not m.deleted and not m.ephemeral]


def _intent(message: Message) -> int:
    return I.GUILD_MESSAGES if message.guild_id else I.DIRECT_MESSAGES


def _dispatch(state, event: str, message: Message) -> None:
    data = state.message_payload(message, gateway=True)
    if event == "MESSAGE_UPDATE":
        data["tts"] = False  # "The value for tts will always be false in message updates."
    # Without MESSAGE_CONTENT a bot still sees its own messages, DMs and mentions of itself.
    mentions_bot = re.search(rf"<@!?{state.bot.id}>", message.content) is not None
    exempt = message.author_id == state.bot.id or message.guild_id is None or mentions_bot
    stripped = None if exempt else payloads.strip_content(data)
    state.hub.dispatch(event, data, guild_id=message.guild_id, intent=_intent(message), without_content=stripped)
