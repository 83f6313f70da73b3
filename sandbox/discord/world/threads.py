"""Threads: started from a message or on their own, their members, archiving; gateway events.

THREAD_CREATE/UPDATE/DELETE need GUILDS. THREAD_MEMBERS_UPDATE needs GUILD_MEMBERS, except
that a bot always hears of itself being added or removed (gateway-events.mdx).
"""

from __future__ import annotations

from .. import payloads
from ..clock import iso_now
from ..gateway import intents as I
from ..models import PUBLIC_THREAD, Channel, Message
from . import messages


def start_thread(
    state,
    parent: Channel,
    owner_id: int,
    name: str,
    *,
    type: int,
    auto_archive_duration: int = 4320,
    invitable: bool = True,
    thread_id: int | None = None,
) -> Channel:
    """A thread under ``parent`` (``thread_id``: the message it starts from); its owner joins."""
    now = iso_now()
    thread = Channel(
        thread_id or state.ids.next(),
        type,
        parent.guild_id,
        name,
        parent_id=parent.id,
        owner_id=owner_id,
        auto_archive_duration=auto_archive_duration,
        archive_timestamp=now,
        create_timestamp=now,
        invitable=invitable,
    )
    thread.thread_members[owner_id] = now
    state.channels[thread.id] = thread
    _dispatch(state, thread, "THREAD_CREATE", {**payloads.thread(thread), "newly_created": True}, I.GUILDS)
    return thread


def start_thread_from_message(state, parent: Channel, message: Message, owner_id: int, name: str, **fields) -> Channel:
    """A public thread with the message's id; THREAD_CREATE, then MESSAGE_UPDATE of the message."""
    thread = start_thread(state, parent, owner_id, name, type=PUBLIC_THREAD, thread_id=message.id, **fields)
    messages.thread_started(state, message)
    return thread


def update_thread(state, thread: Channel, **fields) -> Channel:
    """Rename, archive, unarchive, lock; a change of ``archived`` stamps archive_timestamp."""
    if "archived" in fields and fields["archived"] != thread.archived:
        thread.archive_timestamp = iso_now()
    for key, value in fields.items():
        setattr(thread, key, value)
    _dispatch(state, thread, "THREAD_UPDATE", payloads.thread(thread), I.GUILDS)
    return thread


def delete_thread(state, thread: Channel) -> None:
    """THREAD_DELETE carries only id, guild_id, parent_id and type."""
    del state.channels[thread.id]
    data = {"id": str(thread.id), "guild_id": str(thread.guild_id), "parent_id": str(thread.parent_id)}
    _dispatch(state, thread, "THREAD_DELETE", {**data, "type": thread.type}, I.GUILDS)


def add_thread_member(state, thread: Channel, user_id: int) -> bool:
    """Add ``user_id`` (False if already there); THREAD_MEMBERS_UPDATE with added_members."""
    if user_id in thread.thread_members:
        return False
    thread.thread_members[user_id] = iso_now()
    guild = state.guilds[thread.guild_id]
    added = payloads.thread_member(thread, user_id, state.member_payload(guild.members[user_id]))
    added["presence"] = None
    _members_update(state, thread, user_id, {"added_members": [added]})
    return True


def remove_thread_member(state, thread: Channel, user_id: int) -> bool:
    """Remove ``user_id`` (False if not there); THREAD_MEMBERS_UPDATE with removed_member_ids."""
    if thread.thread_members.pop(user_id, None) is None:
        return False
    _members_update(state, thread, user_id, {"removed_member_ids": [str(user_id)]})
    return True


def remove_from_threads(state, guild_id: int, user_id: int) -> None:
    """A member who leaves the guild leaves its threads too."""
    for channel in list(state.channels.values()):
        if channel.is_thread and channel.guild_id == guild_id and user_id in channel.thread_members:
            remove_thread_member(state, channel, user_id)


def threads_of(state, parent_id: int) -> list[Channel]:
    """The threads under a channel, oldest first."""
    return sorted((c for c in state.channels.values() if c.is_thread and c.parent_id == parent_id), key=lambda c: c.id)


def _members_update(state, thread: Channel, user_id: int, change: dict) -> None:
    data = {
        "id": str(thread.id),
        "guild_id": str(thread.guild_id),
        "member_count": min(len(thread.thread_members), 50),
        **change,
    }
    intent = I.GUILDS if user_id == state.bot.id else I.GUILD_MEMBERS
    _dispatch(state, thread, "THREAD_MEMBERS_UPDATE", data, intent)


def _dispatch(state, thread: Channel, event: str, data: dict, intent: int) -> None:
    guild = state.guilds[thread.guild_id]
    if guild.has_bot:
        state.hub.dispatch(event, data, guild_id=guild.id, intent=intent)
    state.changed()
