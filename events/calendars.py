"""Calendar feeds: secret iCal links to a member's events and to a guild's events.

A link is a capability URL: whoever holds it reads the feed, with no session. Its token
(``secrets.token_urlsafe(32)``, 256 random bits) is shown once, when the link is made;
only its SHA-256 digest is stored, so the database cannot give the link back, and a
member who lost theirs makes a new one (``rotate``), which revokes the old one at once.
A member's link is revoked when they leave any of their guilds (``on_member_left``), so a
member who was removed keeps nothing that reads a guild's events.

The feed (``feed``) is what calendar apps poll: one VEVENT per event from
``WINDOW`` ago onward, in the guild's time zone with its VTIMEZONE, a stable UID, a SEQUENCE
that grows with every change members see (``Event.revision``) and cancelled events kept
as STATUS:CANCELLED until they leave the window, so subscribers' copies are updated rather
than silently left behind.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Guild
from events.models import CalendarFeed, Event, Registration

WINDOW = timedelta(days=30)  # events (and cancellations) that started longer ago leave the feed
REFRESH = timedelta(hours=1)  # what the feed asks calendar apps to poll at
TIMEZONES_AHEAD = timedelta(days=400)  # how far past the last event the VTIMEZONE rules reach
REGISTERED = (Registration.Status.GOING, Registration.Status.MAYBE, Registration.Status.WAITLISTED)
YOUR_STATUS = {
    Registration.Status.GOING: "You are going.",
    Registration.Status.MAYBE: "You answered maybe.",
    Registration.Status.WAITLISTED: "You are on the waitlist.",
}


@dataclass(frozen=True)
class NewLink:
    """A link just made: its URL holds the token, shown this once."""

    url: str
    replaced: bool  # an earlier link was revoked to make this one


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{settings.MUSTER_PUBLIC_URL.rstrip('/')}/calendar/{token}.ics"


def has_link(*, member_id: int | None = None, guild_id: int | None = None) -> bool:
    return _live(member_id=member_id, guild_id=guild_id).exists()


def _live(*, member_id: int | None, guild_id: int | None):
    owner = {"member_id": member_id} if member_id is not None else {"guild_id": guild_id}
    return CalendarFeed.objects.filter(revoked_at__isnull=True, **owner)


@transaction.atomic
def rotate(*, now: datetime, member_id: int | None = None, guild_id: int | None = None) -> NewLink:
    """Make a new link for the member (their events) or the guild (its events), revoking the
    one they had. The token is in the returned URL only."""
    revoked = _live(member_id=member_id, guild_id=guild_id).select_for_update().update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(
        member_id=member_id, guild_id=guild_id, prefix=token[:8], digest=digest(token), created_at=now
    )
    return NewLink(url=feed_url(token), replaced=bool(revoked))


def on_member_left(guild_id: int, member_id: int) -> None:
    """The ``member_left`` hook: the member's link stops working (in the leave's transaction)."""
    _live(member_id=member_id, guild_id=None).update(revoked_at=timezone.now())


def find(token: str) -> CalendarFeed | None:
    """The live link with this token, or None (unknown and revoked look the same)."""
    if not 20 <= len(token) <= 100:
        return None
    return CalendarFeed.objects.filter(digest=digest(token), revoked_at__isnull=True).first()


def feed(link: CalendarFeed, *, now: datetime) -> bytes | None:
    """The link's calendar as iCalendar bytes (two queries), or None when it reads nothing any
    more (the guild left Muster)."""
    if link.guild_id is not None:
        guild = Guild.objects.filter(id=link.guild_id, active=True).first()
        if guild is None:
            return None
        events = guild_events(guild.id, now=now)
        return render(f"{guild.name} (Muster)", events, now=now)
    return render("My events (Muster)", member_events(link.member_id, now=now), now=now)


def guild_events(guild_id: int, *, now: datetime):
    """The guild's events in the window, scheduled and cancelled (one query)."""
    return Event.objects.filter(guild_id=guild_id, starts_at__gte=now - WINDOW).select_related("guild")


def member_events(member_id: int, *, now: datetime):
    """Events the member is going to, maybe going to or waitlisted for, in the window, in the
    active guilds they are a member of now; each carries ``your_status`` (one query)."""
    return (
        Event.objects.filter(
            starts_at__gte=now - WINDOW,
            registrations__member_id=member_id,
            registrations__status__in=REGISTERED,
            guild__active=True,
            guild__memberships__member_id=member_id,
            guild__memberships__left_at__isnull=True,
        )
        .annotate(your_status=F("registrations__status"))
        .select_related("guild")
    )


def render(name: str, events, *, now: datetime) -> bytes:
    """A VCALENDAR of ``events`` named ``name``, with the VTIMEZONE of every zone it uses.

    Nothing in it depends on the moment it is drawn (DTSTAMP is the event's last change),
    so an unchanged feed is the same bytes and its ETag holds.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Muster//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH))
    last = now
    for event in events:
        calendar.add_component(vevent(event))
        last = max(last, event.ends_at or event.starts_at)
    # Rules for the feed's span only: from 1970 on, Europe/Berlin alone is a hundred lines.
    first, until = (now - WINDOW - timedelta(days=1)).date(), (last + TIMEZONES_AHEAD).date()
    calendar.add_missing_timezones(first_date=first, last_date=until)
    return calendar.to_ical()


def uid(event: Event) -> str:
    return f"event-{event.id}@{urlsplit(settings.MUSTER_PUBLIC_URL).hostname or 'muster'}"


def vevent(event: Event) -> icalendar.Event:
    zone = ZoneInfo(event.guild.timezone or "UTC")
    component = icalendar.Event()
    component.add("uid", uid(event))
    component.add("dtstamp", event.updated_at)
    component.add("last-modified", event.updated_at)
    component.add("created", event.created_at)
    component.add("sequence", event.revision)
    component.add("summary", event.title)
    component.add("dtstart", event.starts_at.astimezone(zone))
    # Without an end a calendar shows a point in time; an hour is what /event create assumes.
    component.add("dtend", (event.ends_at or event.starts_at + timedelta(hours=1)).astimezone(zone))
    cancelled = event.status == Event.Status.CANCELLED
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if event.location:
        component.add("location", event.location)
    link = discord_link(event)
    if link:
        component.add("url", link)
    component.add("description", description(event, link))
    return component


def discord_link(event: Event) -> str:
    if not (event.channel_id and event.message_id):
        return ""
    return f"https://discord.com/channels/{event.guild_id}/{event.channel_id}/{event.message_id}"


def description(event: Event, link: str) -> str:
    parts = []
    if event.status == Event.Status.CANCELLED:
        parts.append("Cancelled.")
    if getattr(event, "your_status", None) in YOUR_STATUS:
        parts.append(YOUR_STATUS[event.your_status])
    if event.description:
        parts.append(event.description)
    parts.append(f"In Discord: {link}" if link else f"In {event.guild.name} on Discord.")
    return "\n\n".join(parts)
