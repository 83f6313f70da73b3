"""Worker-side handlers of /event, the event buttons and /muster timezone.

Each handler reads the interaction, calls one service and says what happened. Rules
and their refusals live in ``events.services``; times are read in ``events.timeparse``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.models import Guild, Member
from core.timezones import known_timezones
from discord_gateway.interaction import Interaction, Refusal, Reply, Update
from discord_gateway.routing import command, component, modal
from events import render, services
from events.models import Event, Registration
from events.organisers import may_organise
from events.services import EventRuleError
from events.timeparse import TimeParseError, parse_local_time, parse_offsets

Status = Registration.Status
PAGE_SIZE = 10


def organiser(interaction: Interaction) -> bool:
    guild = Guild.objects.filter(id=interaction.guild_id).first()
    actor = interaction.actor
    return may_organise(guild, actor.id, actor.role_ids, actor.permissions)


def member_zone(interaction: Interaction) -> ZoneInfo:
    """The member's saved time zone, else the guild's, else UTC."""
    member_tz = Member.objects.filter(id=interaction.actor.id).values_list("timezone", flat=True).first()
    guild_tz = Guild.objects.filter(id=interaction.guild_id).values_list("timezone", flat=True).first()
    return ZoneInfo(member_tz or guild_tz or "UTC")


def read_time(text: str | None, zone: ZoneInfo, now: datetime, field: str) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        return parse_local_time(text, zone, now=now, field=field)
    except TimeParseError as error:
        raise Refusal(str(error)) from None


def _event(event_id, guild_id: int | None) -> Event:
    event = Event.objects.filter(id=int(event_id), guild_id=guild_id).select_related("guild").first()
    if event is None:
        raise Refusal("There is no such event in this server.")
    return event


def _rules(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except EventRuleError as error:
        raise Refusal(str(error)) from None


@modal("event:create", allowed=organiser)
def create(interaction: Interaction) -> Reply:
    """The submitted /event create form: capacity, channel, reminders and deadline ride in the custom_id."""
    capacity, channel_id, reminders, *deadline = interaction.ids
    now, zone = timezone.now(), member_zone(interaction)
    fields = interaction.fields
    starts_at = read_time(fields.get("start"), zone, now, "start")
    if starts_at is None:
        raise Refusal("The event needs a start time.")
    try:
        offsets = parse_offsets(reminders) if reminders != "-" else services.DEFAULT_REMINDER_OFFSETS
    except TimeParseError as error:
        raise Refusal(str(error)) from None
    guild = Guild.objects.get(id=interaction.guild_id)
    event = _rules(
        services.create_event, guild, now=now, created_by_id=interaction.actor.id,
        title=fields.get("title") or "", description=fields.get("description") or "",
        location=fields.get("location") or "", starts_at=starts_at,
        ends_at=read_time(fields.get("end"), zone, now, "end"),
        capacity=int(capacity) or None,
        signup_deadline=read_time(":".join(deadline), zone, now, "signup deadline"),
        channel_id=int(channel_id) or guild.announcement_channel_id or interaction.channel_id,
        reminder_offsets=offsets,
    )  # fmt: skip
    return Reply(
        content=f"Created {render.event_link(event)} for {render.timestamp(event.starts_at, 'F')} "
        f"(read as {starts_at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}); it is posted in <#{event.channel_id}>."
    )


@command("event edit", allowed=organiser)
def edit(interaction: Interaction) -> Reply:
    options, now, zone = interaction.options, timezone.now(), member_zone(interaction)
    event = _event(options["event"], interaction.guild_id)
    changes: dict = {}
    for name in ("title", "location", "description"):
        if options.get(name) is not None:
            changes[name] = options[name]
    for name, field in (("start", "starts_at"), ("end", "ends_at"), ("signup_deadline", "signup_deadline")):
        if options.get(name):
            changes[field] = read_time(options[name], zone, now, name.replace("_", " "))
    if options.get("capacity") is not None:
        changes["capacity"] = int(options["capacity"]) or None
    if options.get("reminders"):
        try:
            changes["reminder_offsets"] = parse_offsets(options["reminders"])
        except TimeParseError as error:
            raise Refusal(str(error)) from None
    if not changes:
        raise Refusal("Nothing to change: give at least one option.")
    event = _rules(services.edit_event, event.id, now=now, **changes)
    return Reply(content=f"Updated {render.event_link(event)}; registrants will be told by DM.")


@command("event cancel", allowed=organiser)
def cancel(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    event = _rules(services.cancel_event, event.id, now=timezone.now())
    return Reply(content=f"Cancelled {render.event_link(event)}; registrants will be told by DM.")


@command("event remove", allowed=organiser)
def remove(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    member_id = int(interaction.options["member"])
    promoted = _rules(services.remove_registration, event.id, member_id, now=timezone.now())
    moved = f" <@{promoted[0]}> moves up from the waitlist." if promoted else ""
    return Reply(content=f"Removed <@{member_id}> from {render.event_link(event)}.{moved}")


@command("event show")
def show(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    message = render.event_message(event, services.roster(event), now=timezone.now())
    return Reply(embeds=message["embeds"], components=message["components"])


@command("event list")
def list_events(interaction: Interaction) -> Reply:
    return Reply(**event_page(interaction.guild_id, int(interaction.options.get("page") or 1)))


@component("event:list")
def list_page(interaction: Interaction) -> Update:
    return Update(**event_page(interaction.guild_id, int(interaction.ids[0])))


def event_page(guild_id: int, page: int) -> dict:
    """One page of upcoming events with Previous / Next buttons (one query for the page)."""
    events = services.upcoming(guild_id, now=timezone.now())
    start = (page - 1) * PAGE_SIZE
    rows = list(events[start : start + PAGE_SIZE + 1])
    if not rows:
        return {"content": "No upcoming events." if page == 1 else "No more events.", "embeds": [], "components": []}
    lines = "\n".join(render.event_line(event) for event in rows[:PAGE_SIZE])
    buttons = []
    if page > 1:
        buttons.append({"type": 2, "style": 2, "label": "Previous", "custom_id": f"event:list:{page - 1}"})
    if len(rows) > PAGE_SIZE:
        buttons.append({"type": 2, "style": 2, "label": "Next", "custom_id": f"event:list:{page + 1}"})
    embed = {"title": "Upcoming events", "description": lines, "footer": {"text": f"Page {page}"}}
    return {"content": "", "embeds": [embed], "components": [{"type": 1, "components": buttons}] if buttons else []}


def _click(interaction: Interaction, choice: str) -> Reply:
    """What a member sees, privately, after clicking Going, Maybe or Can't go."""
    event = _event(interaction.ids[0], interaction.guild_id)
    response = _rules(services.respond, event.id, interaction.actor.id, choice, sequence=interaction.id,
                      now=timezone.now())  # fmt: skip
    link = render.event_link(event)
    if response.status == Status.WAITLISTED:
        text = (f"{link} is full: you are number {response.waitlist_position} on the waitlist. "
                "You will get a DM if a place opens up.")  # fmt: skip
    elif response.status == Status.GOING:
        text = f"You are {'already ' if not response.changed else ''}going to {link}. See you there!"
    elif response.status == Status.MAYBE:
        text = f"Marked as maybe for {link}."
    else:
        text = f"Marked as can't go for {link}."
    return Reply(content=text)


@component("event:going")
def going(interaction: Interaction) -> Reply:
    return _click(interaction, Status.GOING)


@component("event:maybe")
def maybe(interaction: Interaction) -> Reply:
    return _click(interaction, Status.MAYBE)


@component("event:declined")
def declined(interaction: Interaction) -> Reply:
    return _click(interaction, Status.DECLINED)


@command("muster timezone")
def set_timezone(interaction: Interaction) -> Reply:
    """Save (or show) the member's time zone; "guild" goes back to the server's."""
    zone = (interaction.options.get("zone") or "").strip()
    member = Member.objects.get(id=interaction.actor.id)
    guild_tz = Guild.objects.filter(id=interaction.guild_id).values_list("timezone", flat=True).first() or "UTC"
    if not zone:
        current = member.timezone or f"{guild_tz} (the server's)"
        return Reply(content=f"Your time zone is {current}. Times you type are read in it.")
    if zone.lower() == "guild":
        zone = ""
    elif zone not in known_timezones():
        raise Refusal(f"{zone} is not a time zone name; use an IANA name such as Europe/Paris.")
    Member.objects.filter(id=member.id).update(timezone=zone)
    now = timezone.now().astimezone(ZoneInfo(zone or guild_tz))
    return Reply(content=f"Your time zone is now {zone or guild_tz}; it is {now:%H:%M} there.")
