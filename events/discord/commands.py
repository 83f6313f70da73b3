"""/event, declared for the gateway. The work happens in ``events.discord.handlers``.

``/event create`` opens a form (title, start, end, location, details); capacity, the
signup deadline, reminders and the channel are options of the command, carried to the
worker in the form's custom_id, since Discord allows five inputs per form.
"""

from __future__ import annotations

import discord
from discord import app_commands
from django.utils import timezone

from core.interactions.declare import FormLayout, TextField, forward, open_form, opens, refuse
from core.permissions import REFUSAL, may_open
from events.discord.messages import CREATE_FORM, EXPECTING_FORM, EXPECTING_SERIES_FORM, SERIES_FORM, logistics_bits
from events.models import Event, EventTemplate

group = app_commands.Group(name="event", description="Events and registrations", guild_only=True)

# Discord-side bounds; events.services refuses the same with a sentence.
EventId = app_commands.Range[int, 1, 2**53 - 1]  # Discord's largest integer option
Capacity = app_commands.Range[int, 0, 100_000]  # on edit, 0 removes the limit
Title = app_commands.Range[str, 1, 100]
Location = app_commands.Range[str, 1, 200]
Details = app_commands.Range[str, 1, 2000]
TypedTime = app_commands.Range[str, 1, 40]
Reminders = app_commands.Range[str, 1, 40]
SignupOptions = app_commands.Range[str, 1, 200]

CREATE_FIELDS = (
    TextField("title", "Title", max_length=100),
    TextField("start", "Start (your time zone)", placeholder="2026-06-01 18:30, tomorrow 7pm", max_length=40),
    TextField("end", "End (optional)", required=False, placeholder="2026-06-01 21:00", max_length=40),
    TextField("location", "Location (optional)", required=False, max_length=200),
    TextField("description", "Details (optional)", style="paragraph", required=False, max_length=2000),
)
CREATE = FormLayout(CREATE_FORM, "New event", CREATE_FIELDS)
SERIES = FormLayout(SERIES_FORM, "New series (the first occurrence)", CREATE_FIELDS)
EXPECTING = FormLayout(EXPECTING_FORM, "New event", CREATE_FIELDS)
EXPECTING_SERIES = FormLayout(EXPECTING_SERIES_FORM, "New series (the first occurrence)", CREATE_FIELDS)
Nudges = app_commands.Range[str, 1, 20]
EXPECTED_HELP = "Who is expected to answer (@everyone: all members); those who have not are nudged by DM"
NUDGES_HELP = "When they are nudged: e.g. 3d,1d before registration closes (deadline, else start)"
# Where an event's members meet (events.spaces): a thread, a private channel, or neither.
SPACES = [
    app_commands.Choice(name="A thread under the post", value="thread"),
    app_commands.Choice(name="A private channel", value="channel"),
    app_commands.Choice(name="None", value="none"),
]
SPACE_HELP = "thread: under the post, or channel: private; members going are let in, then cleaned up after"
CATEGORY_HELP = "The category the private channel is made in"
ROLE_HELP = "Members going get a role organisers can ping (deleted after the event)"
WAITLIST_HELP = "Let the waitlist into the thread or channel too"
series = app_commands.Group(name="series", description="Recurring events", parent=group)
# Which occurrences of a series an edit or a cancellation touches (events.series.SCOPES).
SCOPES = [
    app_commands.Choice(name="This one", value="this"),
    app_commands.Choice(name="This and following", value="following"),
    app_commands.Choice(name="All", value="all"),
]


async def event_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Upcoming events of this guild whose title matches what is typed."""
    upcoming = Event.objects.filter(
        guild_id=interaction.guild_id, status=Event.Status.SCHEDULED, starts_at__gt=timezone.now()
    )
    events = upcoming.filter(title__icontains=current).order_by("starts_at")[:25]
    return [app_commands.Choice(name=f"{e.title[:80]} ({e.starts_at:%Y-%m-%d})", value=e.id) async for e in events]


@opens(CREATE_FORM)
@group.command(name="create", description="Create an event (opens a form)")
@app_commands.describe(
    capacity="How many can go (empty: no limit)",
    signup_deadline="When registration closes, e.g. 2026-06-01 12:00 (empty: at the start)",
    reminders="DMs before the start, e.g. 1h or 1d,1h (default 1h)",
    channel="Where to post it (default: the announcement channel, else here)",
    needs_rides="Members organise rides to and from it (Rides button, /event logistics)",
    needs_rooms="Members share rooms for its nights (Rooms button, /event logistics)",
    repeat='Make it a series, e.g. "weekly on tue,thu", "every 2 weeks", "monthly on the last fri until 2027-06-30"',
    expected=EXPECTED_HELP,
    nudges=NUDGES_HELP,
)
async def create(
    interaction: discord.Interaction,
    capacity: app_commands.Range[int, 1, 100000] | None = None,
    signup_deadline: app_commands.Range[str, 1, 30] | None = None,
    reminders: app_commands.Range[str, 1, 20] | None = None,
    channel: discord.TextChannel | None = None,
    needs_rides: bool = False,
    needs_rooms: bool = False,
    repeat: app_commands.Range[str, 1, 60] | None = None,
    expected: discord.Role | None = None,
    nudges: Nudges | None = None,
):
    if not await may_open(interaction):
        await refuse(interaction, REFUSAL)
        return
    parts = {
        "capacity": capacity or 0,
        "channel_id": channel.id if channel else 0,
        "logistics": logistics_bits(rides=needs_rides, rooms=needs_rooms),
        "reminders": (reminders or "-").replace(":", ""),
        "deadline": signup_deadline or "",
    }
    if expected is not None or nudges is not None:
        await _open_expecting(interaction, parts, repeat, expected.id if expected else 0, nudges)
        return
    if repeat is None:
        await open_form(interaction, CREATE.build(**parts))
        return
    try:
        form = SERIES.build(**parts, repeat=repeat.replace(":", " "))
    except ValueError:  # Discord takes 100 characters of custom_id, which carries the options
        await refuse(
            interaction, 'That repetition is too long to carry; write it shorter (e.g. "weekly tue,thu count 10").'
        )
        return
    await open_form(interaction, form)


async def _open_expecting(interaction: discord.Interaction, parts: dict, repeat: str | None, expected: int, nudges):
    """/event create naming who is expected: the same form, with them riding in its custom_id too."""
    parts = {**parts, "expected": expected, "nudges": (nudges or "-").replace(":", "")}
    try:
        if repeat is None:
            form = EXPECTING.build(**parts)
        else:
            form = EXPECTING_SERIES.build(**parts, repeat=repeat.replace(":", " "))
    except ValueError:  # Discord takes 100 characters of custom_id, which carries the options
        await refuse(
            interaction,
            "Those options are too long to carry together; set who is expected and the nudges "
            "afterwards with /event edit.",
        )
        return
    await open_form(interaction, form)


@group.command(name="edit", description="Change an event; registrants are told")
@app_commands.describe(
    scope="For an occurrence of a series: which ones change (default: this one)",
    capacity="0 removes the limit",
    reminders="e.g. 1d,1h (replaces the reminders)",
    needs_rides="Members organise rides to and from it",
    needs_rooms="Members share rooms for its nights",
    expected=EXPECTED_HELP,
    nudges=NUDGES_HELP + "; off: none",
    signup_options='Going asks which, each with its own capacity: "Driver 4, Rider 16" ("-" removes them)',
    only_role="Only members with this role (or or_role) may sign up",
    or_role="A second role that may sign up",
    open_to_everyone="Remove the role restriction",
    space=SPACE_HELP,
    space_category=CATEGORY_HELP,
    attendee_role=ROLE_HELP,
    include_waitlist=WAITLIST_HELP,
)
@app_commands.autocomplete(event=event_choices)
@app_commands.choices(scope=SCOPES, space=SPACES)
async def edit(
    interaction: discord.Interaction,
    event: EventId,
    scope: str | None = None,
    title: Title | None = None,
    start: TypedTime | None = None,
    end: TypedTime | None = None,
    location: Location | None = None,
    capacity: Capacity | None = None,
    signup_deadline: TypedTime | None = None,
    reminders: Reminders | None = None,
    description: Details | None = None,
    needs_rides: bool | None = None,
    needs_rooms: bool | None = None,
    expected: discord.Role | None = None,
    nudges: Nudges | None = None,
    signup_options: SignupOptions | None = None,
    only_role: discord.Role | None = None,
    or_role: discord.Role | None = None,
    open_to_everyone: bool | None = None,
    space: str | None = None,
    space_category: discord.CategoryChannel | None = None,
    attendee_role: bool | None = None,
    include_waitlist: bool | None = None,
):
    await forward(interaction)


@group.command(name="defaults", description="New events' thread, private channel and attendee role (organisers)")
@app_commands.describe(
    space=SPACE_HELP,
    space_category=CATEGORY_HELP,
    attendee_role=ROLE_HELP,
    include_waitlist=WAITLIST_HELP,
    cleanup_days="Days after an event its thread is archived, channel and role deleted (1-30, default 2)",
)
@app_commands.choices(space=SPACES)
async def defaults(
    interaction: discord.Interaction,
    space: str | None = None,
    space_category: discord.CategoryChannel | None = None,
    attendee_role: bool | None = None,
    include_waitlist: bool | None = None,
    cleanup_days: app_commands.Range[int, 1, 30] | None = None,
):
    await forward(interaction)


@group.command(name="nudge", description="DM the expected members who have not answered yet, now (organisers)")
@app_commands.autocomplete(event=event_choices)
async def nudge(interaction: discord.Interaction, event: EventId):
    await forward(interaction)


@group.command(name="cancel", description="Cancel an event; registrants are told")
@app_commands.describe(scope="For an occurrence of a series: which ones are cancelled (default: this one)")
@app_commands.autocomplete(event=event_choices)
@app_commands.choices(scope=SCOPES)
async def cancel(interaction: discord.Interaction, event: EventId, scope: str | None = None):
    await forward(interaction)


@series.command(name="leave", description="Stop being registered for a whole series")
@app_commands.describe(event="Any occurrence of the series")
@app_commands.autocomplete(event=event_choices)
async def series_leave(interaction: discord.Interaction, event: EventId):
    await forward(interaction)


@group.command(name="list", description="Upcoming events")
async def list_(interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1):
    await forward(interaction)


@group.command(name="show", description="An event, its roster and its buttons")
@app_commands.autocomplete(event=event_choices)
async def show(interaction: discord.Interaction, event: EventId):
    await forward(interaction)


@group.command(name="remove", description="Remove someone's registration (organisers)")
@app_commands.autocomplete(event=event_choices)
async def remove(interaction: discord.Interaction, event: EventId, member: discord.User):
    await forward(interaction)


@group.command(name="logistics", description="Who has no ride or bed; free seats and beds (organisers)")
@app_commands.describe(nudge="When members with no ride get one DM, e.g. 2d or 36h before (default 2d)")
@app_commands.autocomplete(event=event_choices)
async def logistics(interaction: discord.Interaction, event: EventId, nudge: Reminders | None = None):
    # Answered by carpool's handler (routing is by path); declared here, in the /event group.
    await forward(interaction)


@group.command(name="calendar", description="Your calendar link (iCal); organisers: the server's too")
async def calendar(interaction: discord.Interaction):
    await forward(interaction)


@group.command(name="native", description="Mirror upcoming events as Discord's own events (organisers)")
@app_commands.describe(mirror="on: each upcoming event also shows in Discord's Events; off: they are removed")
@app_commands.choices(mirror=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")])
async def native(interaction: discord.Interaction, mirror: str | None = None):
    await forward(interaction)


# Templates: an event's settings under a name (events.templates).
template = app_commands.Group(
    name="template", description="Event templates: make an event again in two clicks", parent=group
)
TemplateName = app_commands.Range[str, 1, 60]


async def template_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """This guild's templates whose name matches what is typed."""
    found = EventTemplate.objects.filter(guild_id=interaction.guild_id, name__icontains=current).order_by("name")
    return [app_commands.Choice(name=t.name, value=t.name) async for t in found[:25]]


@template.command(name="save", description="Save an event's settings as a template (organisers)")
@app_commands.describe(event="The event to copy", name="The template's name; an existing one of that name is replaced")
@app_commands.autocomplete(event=event_choices, name=template_choices)
async def template_save(interaction: discord.Interaction, event: EventId, name: TemplateName):
    await forward(interaction)


@template.command(name="use", description="Create an event from a template at a start time (organisers)")
@app_commands.describe(name="The template", starts="When it starts, in your time zone, e.g. tuesday 19:00")
@app_commands.autocomplete(name=template_choices)
async def template_use(interaction: discord.Interaction, name: TemplateName, starts: TypedTime):
    await forward(interaction)


@template.command(name="list", description="This server's event templates")
async def template_list(interaction: discord.Interaction):
    await forward(interaction)


@template.command(name="delete", description="Delete a template; events made from it stay (organisers)")
@app_commands.autocomplete(name=template_choices)
async def template_delete(interaction: discord.Interaction, name: TemplateName):
    await forward(interaction)
