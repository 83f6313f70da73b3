"""How an event looks in Discord: the embed, its roster and its buttons, as plain dicts.

Times are Discord timestamps (``<t:unix:F>``) so every member sees their own local time.
Names are mentions: they show as each reader's view of the name and never ping inside
an embed. Everything stays inside Discord's embed limits whatever the roster size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from events.models import Event, Registration

Status = Registration.Status

FIELD_VALUE_LIMIT = 1024
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 2000  # well under 4096, so the whole embed stays under 6000
NAMES_SHOWN = 40  # at most this many mentions per list are loaded and shown
COLOUR_SCHEDULED = 0x5865F2
COLOUR_CANCELLED = 0x99AAB5

BUTTONS = (
    (Status.GOING, "Going", 3),  # 3 = green (success)
    (Status.MAYBE, "Maybe", 2),  # 2 = grey (secondary)
    (Status.DECLINED, "Can't go", 4),  # 4 = red (danger)
)


@dataclass
class Roster:
    """Counts per status and the first member ids of each list, in click order."""

    counts: dict[str, int] = field(default_factory=dict)
    names: dict[str, list[int]] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def timestamp(moment: datetime, style: str = "F") -> str:
    return f"<t:{int(moment.timestamp())}:{style}>"


def event_link(event: Event) -> str:
    title = f"**{truncate(event.title, 100)}**"
    if event.channel_id and event.message_id:
        return f"[{title}](https://discord.com/channels/{event.guild_id}/{event.channel_id}/{event.message_id})"
    return title


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention_list(member_ids: list[int], total: int, limit: int = FIELD_VALUE_LIMIT) -> str:
    """Mentions separated by commas, ending in "+N more" when they do not all fit."""
    if total == 0:
        return "—"
    shown: list[str] = []
    for index, member_id in enumerate(member_ids):
        rest = total - index - 1
        candidate = ", ".join([*shown, f"<@{member_id}>"])
        suffix = f" +{rest} more" if rest else ""
        if len(candidate) + len(suffix) > limit:
            break
        shown.append(f"<@{member_id}>")
    hidden = total - len(shown)
    return ", ".join(shown) + (f" +{hidden} more" if hidden else "")


def event_embed(event: Event, roster: Roster, *, now: datetime) -> dict:
    cancelled = event.status == Event.Status.CANCELLED
    when = f"{timestamp(event.starts_at, 'F')} ({timestamp(event.starts_at, 'R')})"
    if event.ends_at:
        when += f"\nuntil {timestamp(event.ends_at, 'F')}"
    fields = [{"name": "When", "value": when, "inline": False}]
    if event.location:
        fields.append({"name": "Where", "value": truncate(event.location, 200), "inline": False})
    going = roster.count(Status.GOING)
    capacity = f"{going}/{event.capacity}" if event.capacity else str(going)
    for status, title in (
        (Status.GOING, f"Going ({capacity})"),
        (Status.WAITLISTED, f"Waitlist ({roster.count(Status.WAITLISTED)})"),
        (Status.MAYBE, f"Maybe ({roster.count(Status.MAYBE)})"),
    ):
        if status == Status.WAITLISTED and not roster.count(status):
            continue
        value = mention_list(roster.names.get(status, []), roster.count(status))
        fields.append({"name": title, "value": value, "inline": False})
    fields.append({"name": "Signup", "value": signup_line(event, now=now), "inline": False})
    return {
        "title": truncate(("[Cancelled] " if cancelled else "") + event.title, TITLE_LIMIT),
        "description": truncate(event.description, DESCRIPTION_LIMIT),
        "color": COLOUR_CANCELLED if cancelled else COLOUR_SCHEDULED,
        "fields": fields,
        "footer": {"text": f"Event {event.id} · {roster.count(Status.DECLINED)} can't go"},
    }


def signup_line(event: Event, *, now: datetime) -> str:
    if event.status == Event.Status.CANCELLED:
        return "Cancelled."
    closes = event.registration_closes_at
    if now >= closes:
        return "Closed."
    return f"Open until {timestamp(closes, 'f')} ({timestamp(closes, 'R')})."


def event_components(event: Event, *, now: datetime) -> list[dict]:
    if event.status == Event.Status.CANCELLED or now >= event.starts_at:
        return []
    return [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": style, "label": label, "custom_id": f"event:{status}:{event.id}"}
                for status, label, style in BUTTONS
            ],
        }
    ]


def event_message(event: Event, roster: Roster, *, now: datetime) -> dict:
    """The whole public message: content-free embed plus buttons, ready for POST or PATCH."""
    return {
        "embeds": [event_embed(event, roster, now=now)],
        "components": event_components(event, now=now),
        "allowed_mentions": {"parse": []},
    }


def event_line(event: Event) -> str:
    """One line in /event list."""
    going = getattr(event, "going_count", None)
    seats = ""
    if going is not None:
        seats = f" · {going}/{event.capacity} going" if event.capacity else f" · {going} going"
    return f"`{event.id}` {event_link(event)} — {timestamp(event.starts_at, 'F')}{seats}"
