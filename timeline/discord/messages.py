"""How the timeline looks in Discord: the alerts (DMs and posts), the shift notices, and the
Now / Next message of an event's thread with its ``@renderer`` for the coalesced refresh.

Outbox keys (each message once):

- ``timeline:<item>:<alert|pre>:<unix time>:dm:<member>`` and ``...:post``: an item's
  (pre-)alert for the time it had when alerted; a moved item gets new keys, so it is alerted
  once per time it is at.
- ``timeline-shift:<shift>:dm:<member>`` and ``...:post``: the notice of one ``/timeline shift``.
- ``timeline-board:<event>``: the Now / Next message (posted once, then edited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core.markup import bold, escape, timestamp, truncate
from core.models import OutboundMessage
from core.outbox import Outgoing
from core.refresh import Rendered, renderer
from timeline.models import Item

BOARD_KIND = "timeline-board"


@dataclass(frozen=True)
class Audience:
    """Who an item's alert reaches: members by DM, the members it names, the channel it is posted in."""

    dms: list[int]
    named: list[int]
    channel_id: int | None


COLOUR = 0xD9822B
NO_MENTIONS = {"parse": []}
NEXT_SHOWN = 5


def board_key(event_id: int) -> str:
    return f"timeline-board:{event_id}"


def alert_key(item: Item, kind: str, target: str) -> str:
    return f"timeline:{item.id}:{kind}:{int(item.due_at.timestamp())}:{target}"


def _who(item: Item, member_ids: list[int]) -> str:
    parts = [f"<@&{item.team.role_id}>" if item.team_id and item.team.role_id else ""]
    if item.team_id and not item.team.role_id:
        parts.append(f"team {bold(item.team.name, 80)}")
    parts += [f"<@{m}>" for m in member_ids]
    return truncate(" ".join(p for p in parts if p), 1000)


def _line(item: Item, *, pre: bool, now: datetime) -> str:
    if pre:
        minutes = max(1, round((item.due_at - now).total_seconds() / 60))
        plural = "s" if minutes != 1 else ""
        return f"{bold(item.title)} starts in {minutes} minute{plural} ({timestamp(item.due_at, 't')})"
    return f"{bold(item.title)} starts now ({timestamp(item.due_at, 't')})"


def alerts(item: Item, audience: Audience, *, pre: bool, now: datetime) -> list[Outgoing]:
    """The (pre-)alert of an item: a DM to each member it concerns, a post where it is posted."""
    member_ids, channel_id = audience.dms, audience.channel_id
    kind = "pre" if pre else "alert"
    event = item.event
    said = f"\n{escape(item.message)}" if item.message else ""
    out = [
        Outgoing(
            key=alert_key(item, kind, f"dm:{member_id}"),
            member_id=member_id,
            guild_id=item.guild_id,
            payload={
                "content": truncate(
                    f"{_line(item, pre=pre, now=now)} at {bold(event.title)} in **{escape(event.guild.name)}**.{said}",
                    2000,
                ),
                "allowed_mentions": NO_MENTIONS,
            },
        )
        for member_id in member_ids
    ]
    if channel_id:
        named = audience.named
        who = _who(item, named)
        # The DMs are the ping; a post without DMs pings the people and team named.
        mentions = NO_MENTIONS if item.dm else {"users": [str(m) for m in named], "roles": _roles(item)}
        out.append(
            Outgoing(
                key=alert_key(item, kind, "post"),
                channel_id=channel_id,
                guild_id=item.guild_id,
                payload={
                    "content": truncate(f"⏱ {_line(item, pre=pre, now=now)}{': ' + who if who else ''}{said}", 2000),
                    "allowed_mentions": mentions,
                },
            )
        )
    return out


def _roles(item: Item) -> list[str]:
    return [str(item.team.role_id)] if item.team_id and item.team.role_id else []


def _moved_lines(items: list[Item]) -> str:
    return "\n".join(f"• {bold(i.title)} now at {timestamp(i.due_at, 't')}" for i in items[:15]) + (
        f"\n… and {len(items) - 15} more" if len(items) > 15 else ""
    )


def _shift_words(minutes: int) -> str:
    return f"{abs(minutes)} minute{'s' if abs(minutes) != 1 else ''} {'later' if minutes > 0 else 'earlier'}"


def shift_dm(event, shift, member_id: int, items: list[Item]) -> Outgoing:
    content = (
        f"The timeline of {bold(event.title)} in **{escape(event.guild.name)}** moved "
        f"{_shift_words(shift.minutes)}. Yours:\n{_moved_lines(items)}"
    )
    return Outgoing(
        key=f"timeline-shift:{shift.id}:dm:{member_id}",
        member_id=member_id,
        guild_id=event.guild_id,
        payload={"content": truncate(content, 2000), "allowed_mentions": NO_MENTIONS},
    )


def shift_post(event, shift, channel_id: int, items: list[Item]) -> Outgoing:
    content = f"⏱ The timeline moved {_shift_words(shift.minutes)}:\n{_moved_lines(items)}"
    return Outgoing(
        key=f"timeline-shift:{shift.id}:post",
        channel_id=channel_id,
        guild_id=event.guild_id,
        payload={"content": truncate(content, 2000), "allowed_mentions": NO_MENTIONS},
    )


# The Now / Next message.


def _board_line(item: Item) -> str:
    who = []
    if item.team_id:
        who.append(escape(item.team.name))
    who += [f"<@{m.id}>" for m in item.people.all()][:10]
    return truncate(f"{timestamp(item.due_at, 't')} {bold(item.title)}" + (f" — {', '.join(who)}" if who else ""), 1000)


def board_message(event, now: datetime) -> dict:
    """The event's current item and the next ones."""
    items = list(
        Item.objects.filter(event=event).select_related("team").prefetch_related("people").order_by("due_at", "id")
    )
    started = [i for i in items if i.due_at <= now]
    coming = [i for i in items if i.due_at > now]
    current = _board_line(started[-1]) if started else "Nothing yet."
    if coming:
        upcoming = "\n".join(_board_line(i) for i in coming[:NEXT_SHOWN])
        if len(coming) > NEXT_SHOWN:
            upcoming += f"\n… and {len(coming) - NEXT_SHOWN} more"
        upcoming += f"\nNext up {timestamp(coming[0].due_at, 'R')}."
    else:
        upcoming = "Nothing more: that was the last item."
    embed = {
        "title": truncate(f"Now / Next: {event.title}", 256),
        "fields": [
            {"name": "Now", "value": truncate(current, 1024), "inline": False},
            {"name": "Next", "value": truncate(upcoming, 1024), "inline": False},
        ],
        "color": COLOUR,
    }
    return {"embeds": [embed], "allowed_mentions": NO_MENTIONS}


def board_post(event, channel_id: int) -> Outgoing:
    return Outgoing(
        key=board_key(event.id),
        channel_id=channel_id,
        guild_id=event.guild_id,
        payload=board_message(event, timezone.now()),
        refresh=(BOARD_KIND, event.id),
    )


def boards_posted(event_ids) -> set[int]:
    """Of these events, those whose Now / Next message is in the outbox already."""
    keys = {board_key(e): e for e in event_ids}
    return {
        keys[k]
        for k in OutboundMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    }


@renderer(BOARD_KIND)
def render_board(event_id: int) -> Rendered | None:
    """The Now / Next message as it is at this moment (an item started, the timeline moved)."""
    posted = (
        OutboundMessage.objects.filter(idempotency_key=board_key(event_id), delivered_message_id__isnull=False)
        .values_list("delivered_channel_id", "channel_id", "delivered_message_id")
        .first()
    )
    if posted is None:
        return None
    event = Item._meta.get_field("event").related_model.objects.filter(id=event_id).select_related("guild").first()
    if event is None:
        return None
    delivered_channel, channel, message_id = posted
    return Rendered(delivered_channel or channel, message_id, board_message(event, timezone.now()))
