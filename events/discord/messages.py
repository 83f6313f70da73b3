"""How events look in Discord: the post, its roster and buttons, /event list, and the DMs.

Times are Discord timestamps (``<t:unix:F>``) so every member sees their own local time.
Names are mentions: they show as each reader's view of the name and never ping inside an
embed. User text is escaped wherever it sits inside markdown. Everything stays inside
Discord's limits whatever the roster size.

DMs and the post go through the outbox in the caller's transaction, each with an
idempotency key naming exactly one visible effect, so a retried task or a second beat
tick never sends the same thing twice. The ``@renderer`` redraws a posted event (the
coalesced refresh of ``core.refresh``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from core import hooks, outbox
from core.interactions import CustomId
from core.interactions.components import button, row
from core.markup import bold, escape, escape_within, mention_list, message_link, timestamp, truncate
from core.models import OutboundMessage
from core.refresh import Rendered, renderer
from events.models import Event, Registration, Reminder, Roster

Status = Registration.Status
REGISTERED = (Status.GOING, Status.MAYBE, Status.WAITLISTED)

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 2000  # well under 4096, so the whole embed stays under 6000
COLOUR_SCHEDULED = 0x5865F2
COLOUR_CANCELLED = 0x99AAB5

# The buttons on an event's post, and the ids their clicks come back with.
RESPONSES = {
    Status.GOING: CustomId("event:going:{event_id:int}"),
    Status.MAYBE: CustomId("event:maybe:{event_id:int}"),
    Status.DECLINED: CustomId("event:declined:{event_id:int}"),
}
BUTTONS = (
    (Status.GOING, "Going", "success"),
    (Status.MAYBE, "Maybe", "secondary"),
    (Status.DECLINED, "Can't go", "danger"),
)
# Going on an event with signup options asks which, privately: one button per option.
GOING_AS = CustomId("event:going_as:{event_id:int}:{option_id:int}")
LIST_PAGE = CustomId("event:list:{page:int}")
# On each occurrence of a series: register for every occurrence, or stop (events.series).
SERIES_JOIN = CustomId("event:series_join:{series_id:int}")
SERIES_LEAVE = CustomId("event:series_leave:{series_id:int}")
# /event create's form: the command's options ride in the id (a form has five inputs at most).
# ``logistics``: 1 the event needs rides, 2 rooms, 3 both (``LOGISTICS``).
CREATE_FORM = CustomId("event:create:{capacity:int}:{channel_id:int}:{logistics:int}:{reminders}:{deadline:rest}")
# /event create with repeat: the same form, the repetition riding in the id too (events.series).
SERIES_FORM = CustomId(
    "event:series:{capacity:int}:{channel_id:int}:{logistics:int}:{reminders}:{repeat}:{deadline:rest}"
)
# The same two forms when /event create names who is expected and when they are nudged
# (events.nudges): ``expected`` is a role id (the guild's id: everyone), ``nudges`` as typed.
EXPECTING_FORM = CustomId(
    "event:expecting:{capacity:int}:{channel_id:int}:{logistics:int}:{reminders}:{expected:int}:{nudges}:{deadline:rest}"
)
EXPECTING_SERIES_FORM = CustomId(
    "event:expecting_series:{capacity:int}:{channel_id:int}:{logistics:int}:{reminders}:{repeat}:"
    "{expected:int}:{nudges}:{deadline:rest}"
)
NEEDS_RIDES, NEEDS_ROOMS = 1, 2
# /event calendar's buttons: a new link for the member, a new link for the server (organisers).
CALENDAR_MINE = CustomId("event:new_calendar")
CALENDAR_SERVER = CustomId("event:new_server_calendar")


def logistics_bits(*, rides: bool, rooms: bool) -> int:
    return (NEEDS_RIDES if rides else 0) | (NEEDS_ROOMS if rooms else 0)


def event_link(event: Event) -> str:
    """The event's title in bold, linked to its post once it is posted."""
    return message_link(bold(event.title), event.guild_id, event.channel_id, event.message_id)


def event_embed(event: Event, roster: Roster, *, now: datetime, extras: hooks.PostExtras | None = None) -> dict:
    cancelled = event.status == Event.Status.CANCELLED
    when = f"{timestamp(event.starts_at, 'F')} ({timestamp(event.starts_at, 'R')})"
    if event.ends_at:
        when += f"\nuntil {timestamp(event.ends_at, 'F')}"
    fields = [{"name": "When", "value": when, "inline": False}]
    if event.location:
        fields.append({"name": "Where", "value": escape(truncate(event.location, 200)), "inline": False})
    going = roster.count(Status.GOING)
    capacity = f"{going}/{event.capacity}" if event.capacity else str(going)
    for status, title in (
        (Status.GOING, f"Going ({capacity})"),
        (Status.WAITLISTED, f"Waitlist ({roster.count(Status.WAITLISTED)})"),
        (Status.MAYBE, f"Maybe ({roster.count(Status.MAYBE)})"),
    ):
        if status == Status.WAITLISTED and not roster.count(status):
            continue
        if status == Status.GOING and roster.options:
            fields += option_fields(roster, title)
            continue
        value = mention_list(roster.names.get(status, []), roster.count(status))
        fields.append({"name": title, "value": value, "inline": False})
    signup = signup_line(event, now=now)
    if roster.expected is not None:
        signup += "\n" + answered_line(*roster.expected)
    fields.append({"name": "Signup", "value": signup, "inline": False})
    footer = extras.footer if extras else []
    return {
        "title": ("[Cancelled] " if cancelled else "") + escape_within(event.title, TITLE_LIMIT - len("[Cancelled] ")),
        "description": truncate(event.description, DESCRIPTION_LIMIT),
        "color": COLOUR_CANCELLED if cancelled else COLOUR_SCHEDULED,
        "fields": fields,
        "footer": {"text": "\n".join([f"Event {event.id} · {roster.count(Status.DECLINED)} can't go", *footer])},
    }


def option_fields(roster: Roster, title: str) -> list[dict]:
    """Going, shown by signup option ("Driver (1/4)", its members), after the total."""
    fields = [{"name": title, "value": "By option below." if roster.count(Status.GOING) else "—", "inline": False}]
    chosen = set()
    for option in roster.options:
        chosen.update(option.names)
        count = f"{option.going}/{option.capacity}" if option.capacity else str(option.going)
        waiting = f", {option.waitlisted} waiting" if option.waitlisted else ""
        name = f"{escape_within(option.label, 200)} ({count}{waiting})"
        fields.append({"name": name, "value": mention_list(option.names, option.going), "inline": True})
    unchosen = roster.count(Status.GOING) - sum(option.going for option in roster.options)
    if unchosen > 0:  # going since before the event had options
        names = [m for m in roster.names.get(Status.GOING, []) if m not in chosen]
        fields.append({"name": f"No option ({unchosen})", "value": mention_list(names, unchosen), "inline": True})
    return fields


def post_extras(event: Event, *, now: datetime, new: bool = False) -> hooks.PostExtras | None:
    """What other domains add to the post (the Rides and Rooms buttons and their footer
    line, the teams, the Check in button while the event runs). A ``new`` event (just
    created, or a series' new occurrence) has nothing from them yet but rides and rooms, so
    it asks only when it needs those: a series tick's posts cost the same queries however
    many they are."""
    if new and not (event.needs_rides or event.needs_rooms):
        return None
    return hooks.post_extras(event.id, now)


def signup_line(event: Event, *, now: datetime) -> str:
    if event.status == Event.Status.CANCELLED:
        return "Cancelled."
    closes = event.registration_closes_at
    if now >= closes:
        return "Closed."
    who = f" to members with the {roles_text(event.allowed_role_ids)} role" if event.allowed_role_ids else ""
    return f"Open{who} until {timestamp(closes, 'f')} ({timestamp(closes, 'R')})."


def roles_text(role_ids) -> str:
    """Role mentions joined with "or" (inside an embed or a private reply they ping nobody)."""
    mentions = [f"<@&{int(role_id)}>" for role_id in role_ids]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + f" or {mentions[-1]}"


def option_picker(event: Event, *, now: datetime) -> dict:
    """The private question Going asks on an event with signup options: one button per option."""
    roster = event.option_rosters()
    options = list(event.signup_options.all())
    buttons = []
    for option, counted in zip(options, roster, strict=True):
        full = counted.capacity is not None and counted.going >= counted.capacity
        count = f" ({counted.going}/{counted.capacity}{', waitlist' if full else ''})" if counted.capacity else ""
        label = truncate(f"{option.label}{count}", 80)
        buttons.append(button(label, GOING_AS.build(event_id=event.id, option_id=option.id), style="success"))
    return {"content": f"How are you going to {event_link(event)}?", "components": [row(*buttons)]}


def answered_line(answered: int, expected: int) -> str:
    """How many of the members expected to answer have (events.nudges)."""
    return f"{answered} of {expected} expected {'has' if expected == 1 else 'have'} answered."


def response_buttons(event: Event) -> dict:
    """The row of Going, Maybe and Can't go."""
    return row(
        *(button(label, RESPONSES[status].build(event_id=event.id), style=style) for status, label, style in BUTTONS)
    )


def nudge_message(event: Event) -> dict:
    """The DM to an expected member who has not answered: the event and its buttons."""
    closes = event.registration_closes_at
    return {
        "content": f"You have not answered yet: will you come to {event_link(event)} "
        f"({timestamp(event.starts_at, 'F')}){_at(event)}? Registration closes {timestamp(closes, 'R')}.",
        "components": [response_buttons(event)],
        "allowed_mentions": {"parse": []},
    }


def nudge_held_line(event: Event) -> str:
    """The nudge a member away did not get, as a line of their "While you were away" summary."""
    return f"{bold(event.title, 60)} ({timestamp(event.starts_at, 'f')}) asked for your answer"


def event_components(event: Event, *, now: datetime, extras: hooks.PostExtras | None = None) -> list[dict]:
    """Going, Maybe and Can't go (and the series' buttons) until the start; other domains'
    buttons while they offer them (the Check in button runs during the event)."""
    if event.status == Event.Status.CANCELLED:
        return []
    if now >= event.starts_at:
        return [row(*extras.buttons[:5])] if extras and extras.buttons else []
    rows = [
        row(
            *(
                button(label, RESPONSES[status].build(event_id=event.id), style=style)
                for status, label, style in BUTTONS
            )
        )
    ]
    if event.series_id is not None:
        rows.append(
            row(
                button("Register for the whole series", SERIES_JOIN.build(series_id=event.series_id), style="primary"),
                button("Leave the series", SERIES_LEAVE.build(series_id=event.series_id)),
            )
        )
    if extras and extras.buttons:
        rows.append(row(*extras.buttons[:5]))
    return rows


def event_message(event: Event, roster: Roster, *, now: datetime, new: bool = False) -> dict:
    """The whole public message: content-free embed plus buttons, ready for POST or PATCH."""
    extras = post_extras(event, now=now, new=new)
    return {
        "embeds": [event_embed(event, roster, now=now, extras=extras)],
        "components": event_components(event, now=now, extras=extras),
        "allowed_mentions": {"parse": []},
    }


def offset_text(offset: timedelta) -> str:
    """A reminder's offset as it is typed: 1w, 2d, 3h or 30m."""
    minutes = int(offset.total_seconds()) // 60
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def event_line(event: Event) -> str:
    """One line in /event list."""
    going = getattr(event, "going_count", None)
    seats = ""
    if going is not None:
        seats = f" · {going}/{event.capacity} going" if event.capacity else f" · {going} going"
    return f"`{event.id}` {event_link(event)} — {timestamp(event.starts_at, 'F')}{seats}"


def event_page(rows: list[Event], page: int, page_size: int) -> dict:
    """One page of /event list (``rows`` holds one more than a page when there is a next)."""
    if not rows:
        return {"content": "No upcoming events." if page == 1 else "No more events.", "embeds": [], "components": []}
    lines = "\n".join(event_line(event) for event in rows[:page_size])
    buttons = []
    if page > 1:
        buttons.append(button("Previous", LIST_PAGE.build(page=page - 1)))
    if len(rows) > page_size:
        buttons.append(button("Next", LIST_PAGE.build(page=page + 1)))
    embed = {"title": "Upcoming events", "description": lines, "footer": {"text": f"Page {page}"}}
    return {"content": "", "embeds": [embed], "components": [row(*buttons)] if buttons else []}


# The post and the DMs, through the outbox.


def post_key(event: Event) -> str:
    return f"event-post:{event.id}"


def link_posts(events: list[Event]) -> None:
    """Fill in (and keep) the message id of events whose post the outbox has delivered
    since, so a list links a new post at once (one query for all of them)."""
    unlinked = {post_key(event): event for event in events if event.message_id is None}
    if not unlinked:
        return
    delivered = OutboundMessage.objects.filter(
        idempotency_key__in=list(unlinked), delivered_message_id__isnull=False
    ).values_list("idempotency_key", "delivered_message_id")
    for key, message_id in delivered:
        event = unlinked[key]
        Event.objects.filter(pk=event.pk, message_id__isnull=True).update(message_id=message_id)
        event.message_id = message_id


def post_event(event: Event, message: dict) -> None:
    """Post the event to its channel once; the delivered message id is read back by the renderer."""
    if event.channel_id is not None:
        outbox.enqueue(
            key=post_key(event),
            channel_id=event.channel_id,
            payload=message,
            guild_id=event.guild_id,
            refresh=("event", event.id),  # delivered late, it is redrawn as it is by then
        )


def _send(member_id: int, key: str, content: str) -> None:
    outbox.enqueue(key=key, member_id=member_id, payload={"content": content, "allowed_mentions": {"parse": []}})


def promoted(event: Event, registration: Registration) -> None:
    option = f" as {bold(registration.option.label)}" if registration.option_id else ""
    _send(
        registration.member_id,
        f"event-promoted:{event.id}:{registration.member_id}:{registration.sequence}",
        f"A place opened up: you are now **going** to {event_link(event)}{option} "
        f"({timestamp(event.starts_at, 'F')}). Click Can't go if you can no longer make it.",
    )


def _at(event: Event) -> str:
    return f" at {escape(truncate(event.location, 200))}" if event.location else ""


def what_changed(before: dict, after: dict) -> list[str]:
    """Each difference of what registrants see (``Event.as_seen``), new then old."""
    parts = []
    if before["title"] != after["title"]:
        parts.append(f"it is now called {bold(after['title'])} instead of {bold(before['title'])}")
    for name, verb in (("starts_at", "starts"), ("ends_at", "ends")):
        old, new = before[name], after[name]
        if old == new:
            continue
        if old is None:
            parts.append(f"it now {verb} <t:{new}:F>")
        elif new is None:
            parts.append(f"it no longer has an end time (it was to end <t:{old}:F>)")
        else:
            parts.append(f"it now {verb} <t:{new}:F> instead of <t:{old}:F>")
    old, new = before["location"], after["location"]
    if old != new:
        if not old:
            parts.append(f"it is now at {_place(new)}")
        elif not new:
            parts.append(f"it no longer has a place (it was at {_place(old)})")
        else:
            parts.append(f"it is now at {_place(new)} instead of {_place(old)}")
    return parts


def _place(location: str) -> str:
    return escape(truncate(location, 200))


def event_changed(event: Event, notice_id: int, before: dict, *, exclude: Iterable[int] = ()) -> int:
    """DM each registrant (but ``exclude``) what changed since ``before``; returns DMs queued."""
    parts = what_changed(before, event.as_seen())
    if not parts:
        return 0
    content = f"{event_link(event)} has changed: {'; '.join(parts)}."
    skip = set(exclude)
    count = 0
    for member_id in _registrants(event):
        if member_id not in skip:
            _send(member_id, f"event-changed:{notice_id}:{member_id}", content)
            count += 1
    return count


DELETED = (
    "This event was deleted by its organisers: nobody is registered for it any more, and this post no longer changes."
)


def deleted_message(event: Event) -> dict:
    """What the post becomes when its event is deleted: marked, with no buttons."""
    fields = [{"name": "Was planned for", "value": timestamp(event.starts_at, "F"), "inline": False}]
    if event.location:
        fields.append({"name": "Where", "value": escape(truncate(event.location, 200)), "inline": False})
    embed = {
        "title": "[Deleted] " + escape_within(event.title, TITLE_LIMIT - len("[Deleted] ")),
        "description": DELETED,
        "color": COLOUR_CANCELLED,
        "fields": fields,
        "footer": {"text": f"Event {event.id} (deleted)"},
    }
    return {"content": "", "embeds": [embed], "components": []}


def event_deleted(event: Event) -> None:
    """Mark the post of an event being deleted (once); a post not sent yet is never sent.

    The post is edited, not deleted: its thread, reactions and any link to it stay, and it
    says what happened instead of vanishing.
    """
    key = post_key(event)
    if event.channel_id is None or outbox.withdraw(key, "its event was deleted before it was posted"):
        return
    outbox.enqueue(
        key=f"event-deleted:{event.id}",
        channel_id=event.channel_id,
        payload=deleted_message(event),
        guild_id=event.guild_id,
        edits=key,
    )


def event_cancelled(event: Event) -> None:
    for member_id in _registrants(event):
        _send(
            member_id,
            f"event-cancelled:{event.id}:{member_id}",
            f"{event_link(event)} ({timestamp(event.starts_at, 'F')}) has been **cancelled**.",
        )


def reminder(reminder: Reminder) -> int:
    """DM everyone going who accepts reminders; returns how many were queued."""
    event = reminder.event
    going = event.registrations.filter(status=Status.GOING, member__dm_reminders=True)
    start_key = int(event.starts_at.timestamp())
    count = 0
    for member_id in going.values_list("member_id", flat=True):
        _send(
            member_id,
            f"event-reminder:{reminder.id}:{start_key}:{member_id}",
            f"Reminder: {event_link(event)} starts {timestamp(event.starts_at, 'R')} "
            f"({timestamp(event.starts_at, 'F')}){_at(event)}.",
        )
        count += 1
    return count


def _registrants(event: Event) -> list[int]:
    return list(event.registrations.filter(status__in=REGISTERED).values_list("member_id", flat=True))


@renderer("event")
def render_event(event_id: int) -> Rendered | None:
    """The posted event as it is now (nothing until the post is delivered)."""
    event = Event.objects.filter(id=event_id).first()
    if event is None or event.channel_id is None or outbox.posted_message_id(event, post_key(event)) is None:
        return None
    return Rendered(event.channel_id, event.message_id, event_message(event, event.roster(), now=timezone.now()))


def date_poll_registered(event: Event, member_id: int, status: str, poll_id: int) -> None:
    """Tell a voter of the chosen date that they are registered (or waitlisted) for its event."""
    at = timestamp(event.starts_at, "F")
    if status == Status.GOING:
        text = f"The date poll chose {at} for {event_link(event)}, a time you voted for: you are **going**."
    else:
        text = (
            f"The date poll chose {at} for {event_link(event)}, a time you voted for; it is full, so you are "
            "on the **waitlist** (in the order of your vote). You get a DM if a place opens up."
        )
    _send(member_id, f"date-poll-registered:{poll_id}:{member_id}", f"{text} Click Can't go on its post if not.")


def date_poll_other(event: Event, member_id: int, poll_id: int) -> None:
    """Tell a voter who did not vote for the chosen date where to register if they can make it."""
    _send(
        member_id,
        f"date-poll-other:{poll_id}:{member_id}",
        f"The date poll chose {timestamp(event.starts_at, 'F')} for {event_link(event)}, a time you did not "
        "vote for. If you can make it after all, click Going on its post.",
    )
