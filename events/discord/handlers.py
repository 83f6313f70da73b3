"""Worker-side handlers of /event and the event buttons.

Each handler reads the interaction, calls one service and says what happened. Rules and
their refusals live in ``events.services``; times are read by ``core.timeparse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.discord_api import DiscordError, PermanentError, get_client
from core.errors import RuleError
from core.interactions import Interaction, Reply, Update, command, component, modal
from core.interactions.components import button, row
from core.markup import escape, timestamp, truncate
from core.models import Guild, GuildMember
from core.permissions import organiser
from core.recurrence import parse_rule
from core.timeparse import day_first, describe, member_zone, parse_offsets, read_time
from events import calendars, native, nudges, series, services, signup, spaces, templates
from events.discord import messages
from events.discord.messages import (
    CALENDAR_MINE,
    CALENDAR_SERVER,
    CREATE_FORM,
    EXPECTING_FORM,
    EXPECTING_SERIES_FORM,
    GOING_AS,
    LIST_PAGE,
    NEEDS_RIDES,
    NEEDS_ROOMS,
    RESPONSES,
    SERIES_FORM,
    SERIES_JOIN,
    SERIES_LEAVE,
    event_link,
    offset_text,
)
from events.models import Event, EventTemplate, Registration, Series
from events.services import EventDraft

Status = Registration.Status
PAGE_SIZE = 10
TEMPLATES_LISTED = 25
# /event edit's options that are times, and the event field each sets.
TIME_OPTIONS = (("start", "starts_at"), ("end", "ends_at"), ("signup_deadline", "signup_deadline"))


def _event(event_id, guild_id: int | None) -> Event:
    event = Event.objects.filter(id=int(event_id), guild_id=guild_id).select_related("guild").first()
    if event is None:
        raise RuleError(services.NOT_IN_GUILD)
    return event


@dataclass(frozen=True)
class CreateOptions:
    """/event create's options, carried in the form's custom_id."""

    capacity: int
    channel_id: int
    logistics: int
    reminders: str
    deadline: str


@modal(CREATE_FORM, allowed=organiser)
def create(
    interaction: Interaction, capacity: int, channel_id: int, logistics: int, reminders: str, deadline: str
) -> Reply:
    """The submitted /event create form: capacity, channel, reminders and deadline ride in the custom_id."""
    return _create_event(interaction, CreateOptions(capacity, channel_id, logistics, reminders, deadline))


@modal(EXPECTING_FORM, allowed=organiser)
def create_expecting(
    interaction: Interaction,
    capacity: int,
    channel_id: int,
    logistics: int,
    reminders: str,
    expected: int,
    nudges: str,
    deadline: str,
) -> Reply:
    """The /event create form with who is expected and the nudges riding in the custom_id too."""
    options = CreateOptions(capacity, channel_id, logistics, reminders, deadline)
    return _create_event(interaction, options, _expected(expected, nudges))


@modal(EXPECTING_SERIES_FORM, allowed=organiser)
def create_expecting_series(
    interaction: Interaction,
    capacity: int,
    channel_id: int,
    logistics: int,
    reminders: str,
    repeat: str,
    expected: int,
    nudges: str,
    deadline: str,
) -> Reply:
    """The /event create form with ``repeat``, who is expected and the nudges."""
    return _create_series(
        interaction,
        CreateOptions(capacity, channel_id, logistics, reminders, deadline),
        repeat,
        _expected(expected, nudges),
    )


def _expected(role_id: int, typed: str) -> nudges.Expected:
    """Who is expected (0: nobody) and the nudges as typed ("-": none) in a form's custom_id."""
    offsets = tuple(parse_offsets(typed)) if typed != "-" else ()
    return nudges.Expected(role_id or None, offsets)


def _expecting(event: Event) -> str:
    """What /event create says of who is expected and when they are nudged."""
    if event.expected_role_id is None:
        return ""
    who = "everyone" if event.expected_role_id == event.guild_id else f"<@&{event.expected_role_id}>"
    times = sorted(event.nudges.filter(skipped=False).values_list("offset", flat=True), reverse=True)
    when = ", ".join(offset_text(offset) for offset in times)
    nudged = f" who have not answered are nudged by DM {when} before registration closes" if times else ""
    return f" Expected: {who}{nudged}; /event nudge nudges them now."


@modal(SERIES_FORM, allowed=organiser)
def create_series(
    interaction: Interaction,
    capacity: int,
    channel_id: int,
    logistics: int,
    reminders: str,
    repeat: str,
    deadline: str,
) -> Reply:
    """The submitted /event create form with ``repeat``: a series whose first occurrence is the form's event."""
    return _create_series(interaction, CreateOptions(capacity, channel_id, logistics, reminders, deadline), repeat)


def _create_event(interaction: Interaction, options: CreateOptions, expected: nudges.Expected = nudges.NOBODY) -> Reply:
    guild, draft, offsets, channel_id = _read_form(interaction, options)
    event = services.create_event(
        guild,
        draft,
        now=timezone.now(),
        created_by_id=interaction.actor.id,
        channel_id=channel_id,
        reminder_offsets=offsets,
        expected=expected,
    )
    return Reply(content=f"Created {_created(interaction, event)}{_expecting(event)}")


def _create_series(
    interaction: Interaction, options: CreateOptions, repeat: str, expected: nudges.Expected = nudges.NOBODY
) -> Reply:
    rule = parse_rule(repeat)
    guild, draft, offsets, channel_id = _read_form(interaction, options)
    plan = series.SeriesPlan(rule, channel_id=channel_id, reminder_offsets=tuple(offsets), expected=expected)
    made = series.create_series(guild, draft, plan, now=timezone.now(), created_by_id=interaction.actor.id)
    first = made.occurrences.order_by("starts_at").first()
    count = made.occurrences.count()
    head = f"Created the series **{escape(made.title)}**, {rule.describe()}"
    if first is None:
        return Reply(content=f"{head}. Its first occurrence is posted {settings.SERIES_WINDOW_DAYS} days ahead of it.")
    return Reply(
        content=f"{head}: {count} occurrence{'s' if count != 1 else ''} posted now, each later one "
        f"{settings.SERIES_WINDOW_DAYS} days ahead. The first is {_created(interaction, first)}"
    )


def _read_form(interaction: Interaction, options: CreateOptions):
    """The guild, the draft, the reminders and the channel of a submitted create form."""
    now, zone = timezone.now(), member_zone(interaction.actor.id, interaction.guild_id)
    fields, dmy = interaction.fields, day_first(interaction.guild_id)
    starts_at = read_time(fields.get("start"), zone, now=now, field="start", day_first=dmy)
    if starts_at is None:
        raise RuleError("The event needs a start time.")
    reminders, deadline, logistics = options.reminders, options.deadline, options.logistics
    offsets = parse_offsets(reminders) if reminders != "-" else services.DEFAULT_REMINDER_OFFSETS
    guild = Guild.objects.get(id=interaction.guild_id)
    channel_id = _posting_channel(interaction, options.channel_id, guild)
    draft = EventDraft(
        title=fields.get("title") or "",
        description=fields.get("description") or "",
        location=fields.get("location") or "",
        starts_at=starts_at,
        ends_at=read_time(fields.get("end"), zone, now=now, field="end", day_first=dmy),
        capacity=options.capacity or None,
        signup_deadline=read_time(deadline, zone, now=now, field="signup deadline", day_first=dmy),
        needs_rides=bool(logistics & NEEDS_RIDES),
        needs_rooms=bool(logistics & NEEDS_ROOMS),
    )
    return guild, draft, offsets, channel_id


def _created(interaction: Interaction, event: Event) -> str:
    """What /event create says of the event it made: its time as read, its channel, skipped reminders."""
    zone = member_zone(interaction.actor.id, interaction.guild_id)
    read_as = describe(event.starts_at, zone)
    also = "".join(
        f" The {name} reads as {describe(moment, zone)}."
        for name, moment in (("end", event.ends_at), ("signup deadline", event.signup_deadline))
        if moment is not None
    )
    skipped = tuple(event.reminders.filter(skipped=True).order_by("offset").values_list("offset", flat=True))
    return (
        f"{event_link(event)} for {timestamp(event.starts_at, 'F')} "
        f"(read as {read_as}); it is posted in <#{event.channel_id}>.{also}{_skipped(skipped)}"
    )


def _posting_channel(interaction: Interaction, channel_id: int, guild: Guild) -> int:
    """Where /event create posts: the channel chosen in the command, else the announcement
    channel, else where the command was used.

    A chosen channel rides in the form's custom_id, which the member's client sends back
    and could change: unless it is where the form was opened or the announcement channel,
    Discord is asked whether it belongs to this server (Muster keeps no channel list).
    """
    if not channel_id or channel_id in (interaction.channel_id, guild.announcement_channel_id):
        return channel_id or guild.announcement_channel_id or interaction.channel_id
    try:
        channel = get_client().request("GET", "/channels/{channel_id}", {"channel_id": channel_id})
    except PermanentError:
        raise RuleError("I cannot see that channel; pick one of this server's channels.") from None
    except DiscordError:
        raise RuleError("Discord did not say whether that channel is in this server; try again in a minute.") from None
    if str(channel.get("guild_id")) != str(guild.id):
        raise RuleError("That channel is not in this server; pick one of its channels.")
    return channel_id


def _after_window() -> str:
    """When registrants hear of an edit: once the edit window (``EVENT_EDIT_WINDOW``) ends."""
    seconds = settings.EVENT_EDIT_WINDOW_S
    if not seconds:
        return "now"
    minutes, rest = divmod(seconds, 60)
    if rest:
        when = f"in {seconds} second{'s' if seconds != 1 else ''}"
    else:
        when = "in a minute" if minutes == 1 else f"in {minutes} minutes"
    return f"{when} (with any other change you make until then)"


def _skipped(offsets) -> str:
    if not offsets:
        return ""
    names = ", ".join(offset_text(offset) for offset in offsets)
    return f" Skipped reminders (their time has already passed): {names}."


@command("event edit", allowed=organiser)
def edit(interaction: Interaction) -> Reply:
    options, now = interaction.options, timezone.now()
    zone, dmy = member_zone(interaction.actor.id, interaction.guild_id), day_first(interaction.guild_id)
    event = _event(options["event"], interaction.guild_id)
    changes: dict = {}
    for name in ("title", "location", "description", "needs_rides", "needs_rooms"):
        if options.get(name) is not None:
            changes[name] = options[name]
    for name, field in TIME_OPTIONS:
        if options.get(name):
            changes[field] = read_time(options[name], zone, now=now, field=name.replace("_", " "), day_first=dmy)
    if options.get("capacity") is not None:
        if int(options["capacity"]) < 0:
            raise RuleError("The capacity must be at least 1, or 0 for no limit.")
        changes["capacity"] = int(options["capacity"]) or None
    if options.get("reminders"):
        changes["reminder_offsets"] = parse_offsets(options["reminders"])
    if options.get("expected"):
        changes["expected_role_id"] = int(options["expected"])
    if options.get("nudges"):
        typed = options["nudges"].strip().lower()
        changes["nudge_offsets"] = [] if typed == "off" else parse_offsets(typed)
    changes.update(_signup_changes(options))
    space = _space_options(options)
    if not changes and not space:
        raise RuleError("Nothing to change: give at least one option.")
    if space:
        made = spaces.configure(event.id, member_id=interaction.actor.id, **space)
        if not changes:
            return Reply(content=f"{event_link(event)}: {spaces.described(made)}")
    scope = options.get("scope") or series.THIS
    edited = series.edit_occurrence(event.id, scope, now=now, editor_id=interaction.actor.id, **changes)
    told = f"; registrants will be told by DM {_after_window()}" if edited.told else ""
    if edited.occurrences > 1:
        told = f" and {edited.occurrences - 1} other occurrence{'s' if edited.occurrences != 2 else ''}{told}"
    read_as = "".join(
        f" The {name.replace('_', ' ')} reads as {describe(changes[field], zone)}."
        for name, field in TIME_OPTIONS
        if field in changes
    )
    skipped = _skipped(edited.skipped_reminders)
    return Reply(content=f"Updated {event_link(edited.event)}{told}.{read_as}{skipped}")


def _space_options(options: dict) -> dict:
    """/event edit's and /event defaults' options for the thread, channel and role."""
    found = {}
    if options.get("space"):
        found["kind"] = options["space"]
    if options.get("space_category"):
        found["category_id"] = int(options["space_category"])
    for name in ("attendee_role", "include_waitlist"):
        if options.get(name) is not None:
            found[name] = bool(options[name])
    return found


@command("event defaults", allowed=organiser)
def event_defaults(interaction: Interaction) -> Reply:
    """Set (or show) the guild's defaults for new events' thread, channel and role."""
    guild, options = Guild.objects.get(id=interaction.guild_id), interaction.options
    chosen = _space_options(options)
    if options.get("cleanup_days") is not None:
        chosen["cleanup_after"] = timedelta(days=int(options["cleanup_days"]))
    if chosen.get("kind") == "channel" or chosen.get("attendee_role"):
        probe = spaces.defaults(guild.id)
        probe.kind = chosen.get("kind", probe.kind)
        probe.category_id = chosen.get("category_id", probe.category_id)
        probe.attendee_role = chosen.get("attendee_role", probe.attendee_role)
        spaces.check_defaults(guild, probe)
    found = spaces.set_defaults(guild, **chosen) if chosen else spaces.defaults(guild.id)
    return Reply(content=spaces.defaults_text(found))


def _signup_changes(options: dict) -> dict:
    """/event edit's signup options and roles as changes (``only_role``/``or_role`` replace the roles)."""
    changes: dict = {}
    if options.get("signup_options"):
        changes["signup_options"] = signup.parse_options(options["signup_options"])
    roles = [int(options[name]) for name in ("only_role", "or_role") if options.get(name)]
    if options.get("open_to_everyone"):
        if roles:
            raise RuleError("Give roles or open_to_everyone, not both.")
        changes["allowed_role_ids"] = []
    elif roles:
        changes["allowed_role_ids"] = roles
    return changes


@command("event cancel", allowed=organiser)
def cancel(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    scope = interaction.options.get("scope") or series.THIS
    cancelled = series.cancel_occurrence(event.id, scope, now=timezone.now())
    others = cancelled - 1 if event.status == Event.Status.SCHEDULED else cancelled
    also = f" and {others} other occurrence{'s' if others != 1 else ''}" if others > 0 else ""
    ended = " The series has no more occurrences." if scope != series.THIS and event.series_id else ""
    return Reply(content=f"Cancelled {event_link(event)}{also}; registrants will be told by DM.{ended}")


@command("event nudge", allowed=organiser)
def nudge(interaction: Interaction) -> Reply:
    """Nudge the event's expected members who have not answered, now (once, whatever the clicks)."""
    event = _event(interaction.options["event"], interaction.guild_id)
    done = nudges.nudge_now(event.id, now=timezone.now(), guild_id=interaction.guild_id)
    answered = done.expected - done.unanswered
    counts = f"{answered} of {done.expected} expected {'has' if done.expected == 1 else 'have'} answered"
    if done.earlier is not None:
        return Reply(
            content=f"They were nudged {timestamp(done.earlier, 'R')}; {counts}. "
            f"Nudge again {timestamp(done.earlier + nudges.NUDGE_NOW_EVERY, 'R')}."
        )
    if not done.unanswered:
        return Reply(content=f"Everyone expected at {event_link(event)} has answered ({counts}): nobody to nudge.")
    skipped = done.unanswered - done.sent
    also = f" ({skipped} cannot be nudged now: they left or their DMs are closed)" if skipped else ""
    return Reply(
        content=f"Nudged {done.sent} member{'s' if done.sent != 1 else ''} by DM about {event_link(event)}{also}; "
        f"{counts}."
    )


@command("event remove", allowed=organiser)
def remove(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    member_id = int(interaction.options["member"])
    promoted = services.remove_registration(event.id, member_id, now=timezone.now())
    moved = f" <@{promoted[0]}> moves up from the waitlist." if promoted else ""
    return Reply(content=f"Removed <@{member_id}> from {event_link(event)}.{moved}")


@command("event show")
def show(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    messages.link_posts([event])
    message = messages.event_message(event, event.roster(), now=timezone.now())
    return Reply(
        content=spaces.shown(spaces.space_of(event.id)),
        embeds=message["embeds"],
        components=message["components"],
        allowed_mentions={"parse": []},
    )


@command("event list")
def list_events(interaction: Interaction) -> Reply:
    return Reply(**event_page(interaction.guild_id, int(interaction.options.get("page") or 1)))


@component(LIST_PAGE)
def list_page(interaction: Interaction, page: int) -> Update:
    return Update(**event_page(interaction.guild_id, page))


def event_page(guild_id: int, page: int) -> dict:
    """One page of upcoming events with Previous / Next buttons (one query for the page,
    one more for posts delivered since they were last drawn)."""
    start = (page - 1) * PAGE_SIZE
    rows = list(services.upcoming(guild_id, now=timezone.now())[start : start + PAGE_SIZE + 1])
    messages.link_posts(rows[:PAGE_SIZE])
    return messages.event_page(rows, page, PAGE_SIZE)


def _click(
    interaction: Interaction, event_id: int, choice: str, option_id: int | None = None, *, ask_option: bool = False
) -> Reply:
    """What a member sees, privately, after clicking Going, Maybe or Can't go (or an option).

    ``ask_option``: Going from the post; on an event with signup options, the private
    question which (``GOING_AS``) instead."""
    now, member_id = timezone.now(), interaction.actor.id
    guild_id, role_ids = _answering_as(interaction, int(event_id))
    response = services.respond(
        int(event_id),
        member_id,
        choice,
        sequence=interaction.id,
        now=now,
        guild_id=guild_id,
        role_ids=role_ids,
        option_id=option_id,
        ask_option=ask_option,
    )
    if response.ask_option:
        return Reply(**messages.option_picker(response.event, now=now))
    link = event_link(response.event)
    as_option = f" as **{escape(response.option)}**" if response.option else ""
    if response.status == Status.WAITLISTED:
        position = response.waitlist_position
        full = f"{link}{as_option} is full" if response.option else f"{link} is full"
        text = f"{full}: you are number {position} on the waitlist. You will get a DM if a place opens up."
    elif response.status == Status.GOING:
        text = f"You are {'already ' if not response.changed else ''}going to {link}{as_option}. See you there!"
    elif response.status == Status.MAYBE:
        text = f"Marked as maybe for {link}."
    else:
        text = f"Marked as can't go for {link}."
    return Reply(content=text)


def _answering_as(interaction: Interaction, event_id: int) -> tuple[int, tuple[int, ...]]:
    """The guild a click answers for and the clicker's roles there. A click in a DM (a
    nudge's buttons) answers for the event's guild if the member is in it, with the roles
    Muster's directory knows (Discord sends no member with a DM's interaction)."""
    if interaction.guild_id is not None:
        return interaction.guild_id, interaction.actor.role_ids
    guild_id = Event.objects.filter(id=event_id).values_list("guild_id", flat=True).first()
    membership = GuildMember.objects.filter(guild_id=guild_id, member_id=interaction.actor.id, left_at__isnull=True)
    roles = membership.values_list("role_ids", flat=True).first() if guild_id is not None else None
    if roles is None:
        raise RuleError("This event is not in a server you are in.")
    return guild_id, tuple(int(role) for role in roles)


@component(RESPONSES[Status.GOING])
def going(interaction: Interaction, event_id: int) -> Reply:
    """Going; on an event with signup options, first the private question which (``GOING_AS``)."""
    return _click(interaction, event_id, Status.GOING, ask_option=True)


@component(GOING_AS)
def going_as(interaction: Interaction, event_id: int, option_id: int) -> Update:
    """An option picked from Going's question: the question becomes the answer."""
    return Update(content=_click(interaction, event_id, Status.GOING, option_id).content, components=[])


@component(RESPONSES[Status.MAYBE])
def maybe(interaction: Interaction, event_id: int) -> Reply:
    return _click(interaction, event_id, Status.MAYBE)


@component(RESPONSES[Status.DECLINED])
def declined(interaction: Interaction, event_id: int) -> Reply:
    return _click(interaction, event_id, Status.DECLINED)


YOURS = (
    "Your calendar link (the events you are going to, maybe going to or waitlisted for, in all your "
    "servers): {url}\nSubscribe to it in your calendar app (Google Calendar: Other calendars, From URL). "
    "Anyone with the link sees your events: keep it to yourself. It is shown only this once."
)
YOURS_EXISTS = (
    "You already have a calendar link; it is shown only once, when it is made. "
    "**New link** makes another, and the old one stops working at once."
)
SERVERS = (
    "This server's calendar link (all its events): {url}\nShare it with members, in a pinned message "
    "say. It is shown only this once."
)
SERVERS_EXISTS = (
    "This server has a calendar link. **New server link** makes another, and the old one stops "
    "working at once for everyone subscribed to it."
)
SERVERS_NONE = "This server has no calendar link yet. **Make server link** makes one (all its events) to share."
REPLACED = " The old link no longer works: subscribe to this one instead."


@command("event calendar")
def calendar(interaction: Interaction) -> Reply:
    """The member's link, made now if they have none (shown once); organisers also manage the server's."""
    member_id, buttons, lines = interaction.actor.id, [], []
    made = not calendars.has_link(member_id=member_id)
    if made:
        lines.append(YOURS.format(url=calendars.rotate(member_id=member_id, now=timezone.now()).url))
    else:
        lines.append(YOURS_EXISTS)
        buttons.append(button("New link", CALENDAR_MINE.build()))
    if organiser(interaction):
        if calendars.has_link(guild_id=interaction.guild_id):
            lines.append(SERVERS_EXISTS)
            buttons.append(button("New server link", CALENDAR_SERVER.build()))
        else:
            lines.append(SERVERS_NONE)
            buttons.append(button("Make server link", CALENDAR_SERVER.build(), style="primary"))
    return Reply(content="\n\n".join(lines), components=[row(*buttons)] if buttons else [], secret=made)


@component(CALENDAR_MINE)
def new_calendar_link(interaction: Interaction) -> Update:
    link = calendars.rotate(member_id=interaction.actor.id, now=timezone.now())
    return _new_link(YOURS, link)


@component(CALENDAR_SERVER, allowed=organiser)
def new_server_calendar_link(interaction: Interaction) -> Update:
    link = calendars.rotate(guild_id=interaction.guild_id, now=timezone.now())
    return _new_link(SERVERS, link)


def _new_link(text: str, link: calendars.NewLink) -> Update:
    """The message with the button, now showing the new link once (and no buttons to click twice)."""
    content = text.format(url=link.url) + (REPLACED if link.replaced else "")
    return Update(content=content, components=[], secret=True)


@component(SERIES_JOIN)
def series_join(interaction: Interaction, series_id: int) -> Reply:
    """Register for the whole series: every future occurrence, each under its own capacity."""
    made = _series(series_id, interaction.guild_id)
    joined = series.join_series(
        made.id, interaction.actor.id, sequence=interaction.id, now=timezone.now(), role_ids=interaction.actor.role_ids
    )
    if not joined.changed:
        return Reply(content=f"You are already registered for the whole series **{escape(made.title)}**.")
    waiting = (
        f" (on the waitlist of {joined.waitlisted}: you get a DM if a place opens up)" if joined.waitlisted else ""
    )
    return Reply(
        content=f"You are registered for the whole series **{escape(made.title)}**: going to {joined.going} "
        f"occurrence{'s' if joined.going != 1 else ''}{waiting}, and to each new one while there is a place. "
        "Leave the series with its button or /event series leave."
    )


@component(SERIES_LEAVE)
def series_leave_button(interaction: Interaction, series_id: int) -> Reply:
    return _leave(interaction, _series(series_id, interaction.guild_id))


@command("event series leave")
def series_leave(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    if event.series_id is None:
        raise RuleError("That event is not part of a series.")
    return _leave(interaction, _series(event.series_id, interaction.guild_id))


def _leave(interaction: Interaction, made) -> Reply:
    removed = series.leave_series(made.id, interaction.actor.id, now=timezone.now())
    taken = (
        f" Your registration for {removed} future occurrence{'s' if removed != 1 else ''} was taken back"
        if removed
        else ""
    )
    return Reply(
        content=f"You left the series **{escape(made.title)}**.{taken}{'.' if removed else ''} "
        "Registrations you made yourself stay."
    )


def _series(series_id, guild_id: int | None) -> Series:
    found = Series.objects.filter(id=int(series_id), guild_id=guild_id).first()
    if found is None:
        raise RuleError("There is no such series in this server.")
    return found


NATIVE_OFF = (
    "Upcoming events are not mirrored in Discord's Events. `/event native mirror:on` mirrors the "
    "nearest ones (Discord shows at most 100 per server)."
)


@command("event native", allowed=organiser)
def native_events(interaction: Interaction) -> Reply:
    """Turn the mirror of upcoming events as Discord scheduled events on or off, or say how it stands."""
    guild, choice = Guild.objects.get(id=interaction.guild_id), interaction.options.get("mirror")
    if choice is not None:
        if choice == "on":
            native.check_permissions(guild)
        native.set_enabled(guild, choice == "on", member_id=interaction.actor.id, now=timezone.now())
    shown = native.shown(guild.id)
    if not shown.enabled:
        removed = " The ones already in Discord are being removed." if shown.mirrored else ""
        return Reply(content=NATIVE_OFF + removed)
    text = (
        f"Upcoming events are mirrored in Discord's Events ({shown.mirrored} so far; changes follow within a "
        'minute or two). Muster\'s post stays where members register: "Interested" there is not a registration.'
    )
    if shown.problem:
        text += f"\n\nStuck: {shown.problem}"
    return Reply(content=text)


# Templates (events.templates): /event template save, use, list, delete.


@command("event template save", allowed=organiser)
def template_save(interaction: Interaction) -> Reply:
    event = _event(interaction.options["event"], interaction.guild_id)
    saved = templates.save_template(event, interaction.options["name"], created_by_id=interaction.actor.id)
    name = escape(saved.template.name)
    what = f"Replaced the template **{name}** with" if saved.replaced else f"Saved the template **{name}** from"
    return Reply(
        content=f"{what} {event_link(event)}: {escape(templates.summary(saved.template))}. "
        f"Make an event from it with /event template use name:{name} starts:<when>."
    )


@command("event template use", allowed=organiser)
def template_use(interaction: Interaction) -> Reply:
    now, zone = timezone.now(), member_zone(interaction.actor.id, interaction.guild_id)
    template = templates.find(interaction.guild_id, interaction.options["name"])
    starts_at = read_time(
        interaction.options.get("starts"), zone, now=now, field="start", day_first=day_first(interaction.guild_id)
    )
    if starts_at is None:
        raise RuleError("The event needs a start time.")
    guild = Guild.objects.get(id=interaction.guild_id)
    event = templates.use_template(guild, template, starts_at, now=now, created_by_id=interaction.actor.id)
    return Reply(content=f"Created from the template **{escape(template.name)}**: {_created(interaction, event)}")


@command("event template list")
def template_list(interaction: Interaction) -> Reply:
    found = list(EventTemplate.objects.filter(guild_id=interaction.guild_id).order_by("name", "id")[:TEMPLATES_LISTED])
    if not found:
        return Reply(content="This server has no event templates yet. Save one with /event template save.")
    lines = []
    for template in found:
        gates = templates.gates_text(template)
        line = f"**{escape(template.name)}**: {escape(templates.summary(template))}"
        lines.append(f"{line}; {gates}" if gates else line)
    text = "\n".join(["Event templates (/event template use makes an event):", *lines])
    return Reply(content=truncate(text, 2000), allowed_mentions={"parse": []})  # role mentions ping nobody


@command("event template delete", allowed=organiser)
def template_delete(interaction: Interaction) -> Reply:
    name = templates.delete_template(interaction.guild_id, interaction.options["name"])
    return Reply(content=f"Deleted the template **{escape(name)}**; events made from it stay as they are.")
