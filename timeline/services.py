"""The rules of the event-day timeline, as plain functions: adding, editing, removing and
shifting items, the beat tick that alerts them, and following the event when it moves.

Times: an item typed as ``+1h30`` (or ``+90m``) is at that offset from the event's start
and follows the event if it moves (``on_event_moved``); anything else is read as a time
(``14:00``, ``2026-06-01 14:00``, ``tomorrow 9am``) in the organiser's zone, else the guild's
(``core.timeparse``), and stays where it is.

Exactly once, on time (``tick``, every ``TIMELINE_TICK_S`` seconds): each kind of alert (the
pre-alert, then the alert) is claimed per item with one compare-and-set UPDATE, "the time
this item was last alerted for is not its time now" -> "it is". Two ticks at once (a
retried task, a second beat) both run the UPDATE; PostgreSQL re-checks the condition on
the row the first one locked, so the second claims nothing. The messages go to the outbox
in the same transaction, with keys naming the item, the kind and the time alerted
(``timeline:<item>:alert:<unix time>:dm:<member>``), so even a tick whose claim is
replayed (a worker killed after the commit, a task run twice) writes no second message.
A moved item has a new time, so a new claim and new keys: it is alerted once per time.
A tick that comes late (Muster was down) still sends what is at most ``CATCH_UP`` late,
and skips what is older: a stint alert an hour late helps nobody.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from core import dm_channels, outbox, timeparse
from core.errors import RuleError
from core.models import GuildMember
from core.refresh import schedule_refresh
from timeline.discord import messages
from timeline.models import Item, Shift

CATCH_UP = timedelta(minutes=30)
BOARD_LEAD = timedelta(hours=2)  # the Now / Next message is posted this long before the first item
DM_LEAD = timedelta(hours=2)  # members' DM channels are opened this long ahead (core.dm_channels)
MAX_ITEMS = 200  # per event
MAX_PREALERT = 24 * 60  # minutes
MAX_SHIFT = 24 * 60  # minutes, either way
BATCH = 500  # items claimed per kind and tick; a tick with more goes on at the next
Event = Item._meta.get_field("event").related_model  # events.Event, through the ORM: no import of events
Team = Item._meta.get_field("team").related_model  # teams.Team

_OFFSET = re.compile(r"^\+\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m?)?$", re.IGNORECASE)


# Reading what organisers type.


def parse_offset(text: str) -> timedelta | None:
    """``+90m``, ``+1h30``, ``+2h``, ``+0`` as an offset from the start; None when it is not one."""
    typed = (text or "").strip()
    match = _OFFSET.match(typed)
    if match is None or not typed.startswith("+") or (match[1] is None and match[2] is None):
        return None
    return timedelta(hours=int(match[1] or 0), minutes=int(match[2] or 0))


def read_when(text: str, event, member_id: int | None, *, now: datetime) -> tuple[timedelta | None, datetime]:
    """The offset (or None) and the time of an item typed as ``+1h30`` or as a time of day or date."""
    offset = parse_offset(text)
    if offset is not None:
        return offset, event.starts_at + offset
    if (text or "").strip().startswith("+"):
        raise RuleError(f'"{text.strip()}" is not an offset from the start; write it like +90m or +1h30.')
    zone = timeparse.member_zone(member_id, event.guild_id) if member_id else timeparse.member_zone(0, event.guild_id)
    moment = timeparse.parse_local_time(text, zone, now=now, field="item's time")
    return None, moment


def parse_members(text: str) -> list[int]:
    """Member mentions or ids, as typed in a command option ("<@123> <@!456> 789")."""
    ids = [int(found) for found in re.findall(r"\d{15,20}", text or "")]
    if text and text.strip() and not ids:
        raise RuleError("Name the members with mentions, like @alice @bob.")
    return list(dict.fromkeys(ids))


# Making and changing items.


@dataclass
class ItemDraft:
    title: str
    due_at: datetime
    offset: timedelta | None = None
    message: str = ""
    member_ids: list[int] = field(default_factory=list)
    team_id: int | None = None
    dm: bool = True
    post_in: str = Item.Post.NONE
    prealert_minutes: int | None = None


def find_event(event_id, guild_id: int | None):
    event = Event.objects.filter(id=event_id, guild_id=guild_id).select_related("guild").first()
    if event is None:
        raise RuleError("There is no such event in this server.")
    return event


def find_team(event, name_or_id) -> int | None:
    """The id of the event's team named (or numbered) so; None for none."""
    typed = str(name_or_id or "").strip()
    if not typed:
        return None
    teams = Team.objects.filter(event_id=event.id)
    team = teams.filter(id=int(typed)).first() if typed.isdigit() else None
    team = team or teams.filter(name__iexact=typed).first()
    if team is None:
        raise RuleError(f'{event.title} has no team "{typed[:80]}".')
    return team.id


def _check(event, draft: ItemDraft) -> None:
    title = draft.title.strip()
    if not title:
        raise RuleError("An item needs a title.")
    if len(title) > 100:
        raise RuleError("An item's title has at most 100 characters.")
    if len(draft.message) > 1000:
        raise RuleError("An item's message has at most 1000 characters.")
    if draft.post_in not in Item.Post.values:
        raise RuleError("Post in the event's thread, the team's thread, or nowhere.")
    if draft.post_in == Item.Post.TEAM and draft.team_id is None:
        raise RuleError("Name the team whose thread the alert is posted in.")
    if not draft.post_in and not (draft.dm and (draft.member_ids or draft.team_id)):
        raise RuleError("Say who is told: name members or a team to DM, or post in a thread.")
    if draft.prealert_minutes is not None and not 1 <= draft.prealert_minutes <= MAX_PREALERT:
        raise RuleError(f"A pre-alert comes 1 to {MAX_PREALERT} minutes before the item.")
    if draft.team_id is not None and not Team.objects.filter(id=draft.team_id, event_id=event.id).exists():
        raise RuleError(f"That team is not a team of {event.title}.")
    if draft.offset is not None and abs(draft.offset) > timedelta(days=14):
        raise RuleError("An item is at most 14 days from the event's start.")
    known = set(
        GuildMember.objects.filter(
            guild_id=event.guild_id, member_id__in=draft.member_ids, left_at__isnull=True
        ).values_list("member_id", flat=True)
    )
    missing = [m for m in draft.member_ids if m not in known]
    if missing:
        raise RuleError(f"<@{missing[0]}> is not a member of this server that Muster knows.")


def _apply(item: Item, draft: ItemDraft) -> None:
    item.title = draft.title.strip()
    item.message = draft.message.strip()
    item.offset = draft.offset
    item.due_at = draft.due_at
    item.team_id = draft.team_id
    item.dm = draft.dm
    item.post_in = draft.post_in
    item.prealert = timedelta(minutes=draft.prealert_minutes) if draft.prealert_minutes else None
    item.prealert_at = item.due_at - item.prealert if item.prealert else None


@transaction.atomic
def add_item(event_id, guild_id: int, draft: ItemDraft, *, created_by: int | None = None) -> Item:
    """A new item of the event's timeline (``RuleError`` for what does not make sense)."""
    event = find_event(event_id, guild_id)
    if event.status == Event.Status.CANCELLED:
        raise RuleError(f"{event.title} is cancelled.")
    _check(event, draft)
    if Item.objects.filter(event=event).count() >= MAX_ITEMS:
        raise RuleError(f"A timeline holds at most {MAX_ITEMS} items.")
    item = Item(event=event, guild_id=event.guild_id, created_by_id=created_by)
    _apply(item, draft)
    item.save()
    item.people.set(draft.member_ids)
    schedule_refresh(messages.BOARD_KIND, event.id)
    return item


def find_item(item_id, guild_id: int | None, *, lock: bool = False) -> Item:
    items = Item.objects.select_for_update(of=("self",)) if lock else Item.objects.all()
    item = items.filter(id=item_id, guild_id=guild_id).select_related("event", "event__guild").first()
    if item is None:
        raise RuleError("There is no such timeline item in this server.")
    return item


@transaction.atomic
def edit_item(item_id, guild_id: int, draft: ItemDraft) -> Item:
    """Change an item; a new time re-arms its alerts (they are sent at the new time)."""
    item = find_item(item_id, guild_id, lock=True)
    _check(item.event, draft)
    _apply(item, draft)
    item.save()
    item.people.set(draft.member_ids)
    schedule_refresh(messages.BOARD_KIND, item.event_id)
    return item


@transaction.atomic
def remove_item(item_id, guild_id: int) -> str:
    item = find_item(item_id, guild_id, lock=True)
    title, event_id = item.title, item.event_id
    item.delete()
    schedule_refresh(messages.BOARD_KIND, event_id)
    return title


def draft_of(item: Item) -> ItemDraft:
    return ItemDraft(
        title=item.title,
        due_at=item.due_at,
        offset=item.offset,
        message=item.message,
        member_ids=list(item.people.values_list("id", flat=True)),
        team_id=item.team_id,
        dm=item.dm,
        post_in=item.post_in,
        prealert_minutes=int(item.prealert.total_seconds() // 60) if item.prealert else None,
    )


# Who an item concerns.


def named(items: list[Item]) -> dict[int, list[int]]:
    """Per item, the members it names, in id order: one query."""
    found: dict[int, list[int]] = {item.id: [] for item in items}
    rows = Item.people.through.objects.filter(item_id__in=found).order_by("member_id")
    for item_id, member_id in rows.values_list("item_id", "member_id"):
        found[item_id].append(member_id)
    return found


def recipients(items: list[Item], names: dict[int, list[int]] | None = None) -> dict[int, list[int]]:
    """Per item that DMs, its members: those named and the team's, in id order (two queries)."""
    names = named(items) if names is None else names
    found: dict[int, set[int]] = {item.id: set(names.get(item.id, ())) for item in items if item.dm}
    by_team: dict[int, list[int]] = {}
    for item in items:
        if item.dm and item.team_id:
            by_team.setdefault(item.team_id, []).append(item.id)
    if by_team:
        memberships = Team._meta.get_field("memberships").related_model.objects.filter(team_id__in=by_team)
        for team_id, member_id in memberships.values_list("team_id", "member_id"):
            for item_id in by_team[team_id]:
                found[item_id].add(member_id)
    return {item_id: sorted(members) for item_id, members in found.items()}


def event_threads(event_ids) -> dict[int, int]:
    """The open thread (or channel) of each event that has one: one query."""
    rows = Event.objects.filter(
        id__in=set(event_ids), space__channel_id__isnull=False, space__closed_at__isnull=True
    ).values_list("id", "space__channel_id")
    return dict(rows)


def where_posted(item: Item, threads: dict[int, int]) -> int | None:
    """The channel of an item's post: its team's thread (else the event's), or the event's thread."""
    if item.post_in == Item.Post.TEAM and item.team_id and item.team.thread_id:
        return item.team.thread_id
    if item.post_in:
        return threads.get(item.event_id)
    return None


# Shifting.


@transaction.atomic
def shift(event_id, guild_id: int, minutes: int, *, by: int | None = None, now: datetime) -> Shift:
    """Move every item of the event not started yet by ``minutes`` (either way); everyone
    the moved items concern is told by DM, and the event's thread by a post."""
    if minutes == 0:
        raise RuleError("Shift by some minutes: 15 moves the items later, -10 earlier.")
    if abs(minutes) > MAX_SHIFT:
        raise RuleError(f"Shift by at most {MAX_SHIFT} minutes either way.")
    event = find_event(event_id, guild_id)
    delta = timedelta(minutes=minutes)
    moving = Item.objects.select_for_update(of=("self",)).filter(event=event, due_at__gt=now)
    moved = list(moving.select_related("team").order_by("due_at", "id"))
    if not moved:
        raise RuleError(f"{event.title} has no items after now to shift.")
    if minutes < 0 and moved[0].due_at + delta <= now:
        raise RuleError(f"The next item ({moved[0].title}) would move into the past; shift by less.")
    ids = [item.id for item in moved]
    Item.objects.filter(id__in=ids).update(due_at=F("due_at") + delta, updated_at=now)
    Item.objects.filter(id__in=ids, offset__isnull=False).update(offset=F("offset") + delta)
    Item.objects.filter(id__in=ids, prealert__isnull=False).update(prealert_at=F("due_at") - F("prealert"))
    record = Shift.objects.create(
        event=event, guild_id=event.guild_id, minutes=minutes, at=now, by_id=by, moved=len(ids)
    )
    for item in moved:
        item.due_at += delta
    people = recipients(moved)
    told: dict[int, list[Item]] = {}
    for item in moved:
        for member_id in people.get(item.id, []):
            told.setdefault(member_id, []).append(item)
    outgoing = [messages.shift_dm(event, record, member_id, items) for member_id, items in told.items()]
    thread = event_threads([event.id]).get(event.id)
    if thread:
        outgoing.append(messages.shift_post(event, record, thread, moved))
    outbox.enqueue_many(outgoing)
    schedule_refresh(messages.BOARD_KIND, event.id)
    return record


def on_event_moved(event_id: int, old_start: datetime, new_start: datetime) -> None:
    """The event moved: items at an offset from its start follow it (and re-arm)."""
    items = Item.objects.filter(event_id=event_id, offset__isnull=False)
    items.update(due_at=new_start + F("offset"))
    items.filter(prealert__isnull=False).update(prealert_at=F("due_at") - F("prealert"))
    schedule_refresh(messages.BOARD_KIND, event_id)


# The beat tick.


@dataclass
class Ticked:
    prealerts: int = 0
    alerts: int = 0
    messages: int = 0
    boards: int = 0
    dm_batches: int = 0


def tick(*, now: datetime) -> Ticked:
    """Send the pre-alerts and alerts due, once each per time; post the Now / Next messages due."""
    done = Ticked()
    done.prealerts, sent = _claim_and_send(now, pre=True)
    done.messages += sent
    done.alerts, sent = _claim_and_send(now, pre=False)
    done.messages += sent
    done.boards = post_boards(now=now)
    done.dm_batches = open_dm_channels_ahead(now=now)
    return done


def _claim_and_send(now: datetime, *, pre: bool) -> tuple[int, int]:
    """Claim the items whose (pre-)alert is due with a compare-and-set, and queue their messages."""
    live = Item.objects.filter(event__status=Event.Status.SCHEDULED, guild__active=True)
    if pre:
        due = live.filter(prealert_at__lte=now, prealert_at__gt=now - CATCH_UP, due_at__gt=now).exclude(
            prealerted_for=F("due_at")
        )
        claimed, done = "prealerted_for", {"prealerted_for": F("due_at")}
    else:
        due = live.filter(due_at__lte=now, due_at__gt=now - CATCH_UP).exclude(alerted_for=F("due_at"))
        claimed, done = "alerted_for", {"alerted_for": F("due_at")}
    ids = list(due.values_list("id", flat=True)[:BATCH])
    if not ids:
        return 0, 0
    token = secrets.token_hex(16)
    with transaction.atomic():
        # The claim: only rows still not alerted for their time now. A second tick's UPDATE
        # waits for this one's lock, re-reads the row, and finds it taken.
        Item.objects.filter(id__in=ids).exclude(**{claimed: F("due_at")}).update(claim=token, **done)
        ours = list(
            Item.objects.filter(id__in=ids, claim=token)
            .filter(**{claimed: F("due_at")})
            .select_related("event", "event__guild", "team")
        )
        names = named(ours)
        people = recipients(ours, names)
        threads = event_threads({item.event_id for item in ours})
        outgoing = []
        for item in ours:
            audience = messages.Audience(people.get(item.id, []), names[item.id], where_posted(item, threads))
            outgoing += messages.alerts(item, audience, pre=pre, now=now)
        sent = outbox.enqueue_many(outgoing)
        if not pre:
            for event_id in {item.event_id for item in ours}:
                schedule_refresh(messages.BOARD_KIND, event_id)
    return len(ours), sent


def post_boards(*, now: datetime) -> int:
    """The Now / Next message of each event whose first item is at most ``BOARD_LEAD`` away,
    in its thread: posted once (its outbox key), then kept current by the coalesced refresh."""
    soon = Item.objects.filter(
        due_at__lte=now + BOARD_LEAD, due_at__gt=now - CATCH_UP, event__status=Event.Status.SCHEDULED
    )
    event_ids = set(soon.values_list("event_id", flat=True).distinct())
    if not event_ids:
        return 0
    posted = messages.boards_posted(event_ids)
    threads = event_threads(event_ids - posted)
    if not threads:
        return 0
    events = Event.objects.filter(id__in=threads).select_related("guild")
    with transaction.atomic():
        return outbox.enqueue_many([messages.board_post(event, threads[event.id]) for event in events])


def open_dm_channels_ahead(*, now: datetime) -> int:
    """Queue the opening of the DM channels of the members of items due within ``DM_LEAD``
    (claimed once per item), so the alerts at the item's time do not wait on Discord's
    tight limit for opening DM channels. Returns the tasks queued."""
    due = Item.objects.filter(dm=True, dms_opened_at__isnull=True, due_at__gt=now, due_at__lte=now + DM_LEAD)
    ids = list(due.values_list("id", flat=True)[:BATCH])
    if not ids:
        return 0
    token = secrets.token_hex(16)
    Item.objects.filter(id__in=ids, dms_opened_at__isnull=True).update(dms_opened_at=now, claim=token)
    ours = list(Item.objects.filter(id__in=ids, claim=token, dms_opened_at=now))
    wanted = {m for found in recipients(ours).values() for m in found}
    from timeline.tasks import open_dm_channels

    batches = dm_channels.batches(wanted)  # paced: one batch at a time, whoever queued the others
    for batch, delay in batches:
        transaction.on_commit(lambda b=batch, d=delay: open_dm_channels.apply_async((b,), countdown=d), robust=True)
    return len(batches)


# What members and organisers read.


def items_of(event_id: int):
    return (
        Item.objects.filter(event_id=event_id)
        .select_related("team")
        .prefetch_related("people")
        .order_by("due_at", "id")
    )


def tick_interval() -> float:
    return float(settings.TIMELINE_TICK_S)
