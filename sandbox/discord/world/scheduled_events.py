"""Guild scheduled events and their "Interested" users, with their gateway events (intent
GUILD_SCHEDULED_EVENTS).
"""

from __future__ import annotations

from .. import payloads
from ..gateway import intents as I
from ..models import ScheduledEvent


def create_event(state, guild, creator_id: int, **fields) -> ScheduledEvent:
    """A scheduled event; GUILD_SCHEDULED_EVENT_CREATE."""
    event = ScheduledEvent(state.ids.next(), guild.id, creator_id=creator_id, **fields)
    guild.scheduled_events[event.id] = event
    _dispatch(state, guild, "GUILD_SCHEDULED_EVENT_CREATE", payloads.scheduled_event(event, state.users))
    return event


def update_event(state, guild, event: ScheduledEvent, **fields) -> ScheduledEvent:
    """Change fields (status included); GUILD_SCHEDULED_EVENT_UPDATE."""
    for key, value in fields.items():
        setattr(event, key, value)
    _dispatch(state, guild, "GUILD_SCHEDULED_EVENT_UPDATE", payloads.scheduled_event(event, state.users))
    return event


def delete_event(state, guild, event: ScheduledEvent) -> None:
    del guild.scheduled_events[event.id]
    _dispatch(state, guild, "GUILD_SCHEDULED_EVENT_DELETE", payloads.scheduled_event(event, state.users))


def set_interested(state, guild, event: ScheduledEvent, user_id: int, interested: bool) -> bool:
    """A member clicks (or unclicks) "Interested"; GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE.
    False when nothing changed.
    """
    if interested == (user_id in event.interested):
        return False
    if interested:
        event.interested.append(user_id)
    else:
        event.interested.remove(user_id)
    data = {"guild_scheduled_event_id": str(event.id), "user_id": str(user_id), "guild_id": str(guild.id)}
    name = "GUILD_SCHEDULED_EVENT_USER_ADD" if interested else "GUILD_SCHEDULED_EVENT_USER_REMOVE"
    _dispatch(state, guild, name, data)
    return True


def _dispatch(state, guild, event: str, data: dict) -> None:
    if guild.has_bot:
        state.hub.dispatch(event, data, guild_id=guild.id, intent=I.GUILD_SCHEDULED_EVENTS)
    state.changed()
