"""Events of a guild: the list, one event with its roster and registration timeline, the
roster as CSV, and the create / edit / cancel / remove / move actions.

Every action calls the service Discord's handler calls (``events.services``), so the rules,
the DMs and the post's refresh are the same; a ``RuleError`` becomes a form error or an
error message on the page, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from carpool import logistics
from core import organiser_log
from core.errors import RuleError
from core.permissions import SESSION_MEMBER_ID
from core.recurrence import parse_rule
from events import series, services, spaces
from events.admin import ROSTER_ORDER, roster_response
from events.discord.messages import offset_text
from events.models import Event, EventTemplate, Registration, SpaceKind

from .charts import Bar, capacity_bar, timeline
from .event_forms import EventForm
from .nav import render_guild
from .scoping import organised_guild_or_404
from .submissions import create_once

Status = Registration.Status
LISTED = 50  # events per list (upcoming, then past)
MOVES = ((Status.GOING, "Going"), (Status.MAYBE, "Maybe"), (Status.DECLINED, "Can't go"))


@dataclass(frozen=True)
class EventRow:
    event: Event
    bar: Bar
    missing: logistics.Missing | None


def with_counts(events):
    return events.annotate(
        going_count=Count("registrations", filter=Q(registrations__status=Status.GOING)),
        waitlist_count=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
    )


def event_rows(events) -> list[EventRow]:
    """Events (annotated ``with_counts``, their guild selected) with their bars and what logistics lack."""
    events = list(events)
    missing = logistics.missing(events)
    return [
        EventRow(event, capacity_bar(event.going_count, event.waitlist_count, event.capacity), missing.get(event.id))
        for event in events
    ]


def _event(request, guild_id: int, event_id: int):
    guild = organised_guild_or_404(request, guild_id)
    return guild, get_object_or_404(Event.objects.filter(guild=guild).select_related("guild"), pk=event_id)


def _member_id(request) -> int | None:
    member_id = request.session.get(SESSION_MEMBER_ID)
    return int(member_id) if member_id else None


@login_required
def event_list(request, guild_id: int):
    """Upcoming events soonest first, then the latest past and cancelled ones."""
    guild = organised_guild_or_404(request, guild_id)
    now = timezone.now()
    events = with_counts(Event.objects.filter(guild=guild).select_related("guild"))
    upcoming = events.filter(status=Event.Status.SCHEDULED, starts_at__gt=now).order_by("starts_at", "id")
    past = events.exclude(status=Event.Status.SCHEDULED, starts_at__gt=now).order_by("-starts_at", "-id")
    context = {"upcoming": event_rows(upcoming[:LISTED]), "past": event_rows(past[:LISTED])}
    return render_guild(request, guild, "events", "dashboard/event/list.html", context)


@login_required
def event_detail(request, guild_id: int, event_id: int):
    """The event, its roster in order (going, waitlist, maybe, can't go) and registrations over time."""
    guild, event = _event(request, guild_id, event_id)
    registrations = list(
        event.registrations.select_related("member", "option")
        .annotate(rank=ROSTER_ORDER)
        .order_by("rank", "sequence", "id")
    )
    roster = {status: [r for r in registrations if r.status == status] for status, _ in Status.choices}
    going, waiting = len(roster[Status.GOING]), len(roster[Status.WAITLISTED])
    context = {
        "event": event,
        "bar": capacity_bar(going, waiting, event.capacity),
        "lists": [(label, status, roster[status]) for status, label in _roster_order()],
        "timeline": timeline([r.responded_at for r in registrations]),
        "missing": logistics.missing([event]).get(event.id),
        "moves": MOVES,
        "reminders": [(r, offset_text(r.offset)) for r in event.reminders.order_by("offset")],
        "open": event.status == Event.Status.SCHEDULED and event.starts_at > timezone.now(),
        "options": event.option_rosters(),
        "signup_options": list(event.signup_options.all()),
        "space": space_text(event, spaces.space_of(event.id)),
    }
    return render_guild(request, guild, "events", "dashboard/event/detail.html", context)


def space_text(event: Event, space) -> str:
    """The event's thread, channel and role as the web shows them (ids: Muster keeps no names),
    with what stops them (the sync's problem) when something does; empty when it has none."""
    if space is None or (space.kind == SpaceKind.NONE and not space.attendee_role and not space.channel_id):
        return ""
    parts = []
    if space.kind == SpaceKind.THREAD:
        parts.append(f"thread #{space.channel_id}" if space.channel_id else "a thread (being made)")
    elif space.kind == SpaceKind.CHANNEL:
        where = f" in category #{space.category_id}" if space.category_id else ""
        made = f"private channel #{space.channel_id}" if space.channel_id else "a private channel (being made)"
        parts.append(made + where)
    if space.attendee_role:
        parts.append(f"attendee role {space.role_id}" if space.role_id else "an attendee role (being made)")
    text = " and ".join(parts)
    text = text[0].upper() + text[1:]
    if space.include_waitlist and space.kind != SpaceKind.NONE:
        text += " (the waitlist too)"
    when = timezone.localtime(spaces.close_at(event, space)).strftime("%a %-d %b %Y %H:%M %Z")
    text += "; cleaned up." if space.closed_at else f"; cleaned up {when}."
    return text + (f" Stuck: {space.problem}" if space.problem else "")


def _roster_order():
    labels = dict(Status.choices)
    return [(status, labels[status]) for status in (Status.GOING, Status.WAITLISTED, Status.MAYBE, Status.DECLINED)]


@login_required
def roster_csv(request, guild_id: int, event_id: int):
    """The roster as the admin downloads it: going first, then the waitlist in order."""
    _guild, event = _event(request, guild_id, event_id)
    return roster_response(Event.objects.filter(pk=event.pk), f"roster-event-{event.pk}.csv")


@login_required
def event_create(request, guild_id: int):
    """The /event create form on the web; posted where the organiser picks (a channel Muster knows)."""
    guild = organised_guild_or_404(request, guild_id)
    return create_page(request, guild)


def create_page(request, guild, template: EventTemplate | None = None):
    """The creating form (prefilled from ``template``, whose blank times it fills), and its sending."""
    now, member_id = timezone.now(), _member_id(request)
    form = EventForm(request.POST or None, guild=guild, member_id=member_id, now=now, template=template)
    origin = f" from the template {template.name}" if template is not None else ""
    if request.method == "POST" and form.is_valid():
        try:
            event_id, first = create_once(
                request,
                guild,
                form,
                "created event",
                lambda: _create(guild, form, now=now, member_id=member_id),
                lambda event: f"posted in #{event.channel_id}{origin}{_space_note(event)}",
            )
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            if first:
                messages.success(request, "Created; the event is posted in Discord.")
            else:
                messages.info(request, "This form was already sent: the event was created once.")
            return redirect("dashboard:event", guild_id=guild.id, event_id=event_id)
    status = 400 if form.errors else 200
    context = {"form": form, "creating": True, "template": template}
    section = "events" if template is None else "templates"
    return render_guild(request, guild, section, "dashboard/event/form.html", context, status=status)


def _space_note(event: Event) -> str:
    """For the organiser log: the thread, channel and role the event was given."""
    space = spaces.space_of(event.id)
    what = spaces._what(space) if space is not None else ""
    return f", with a {what}" if what else ""


def _create(guild, form: EventForm, *, now, member_id: int | None) -> Event:
    """The event, or the first occurrence of the series when the form says how it repeats.

    The event takes its guild's thread, channel and role defaults (``create_event``); what the
    form changes of them is set by ``events.spaces.configure``, in the same transaction."""
    channel_id = form.cleaned_data.get("channel") or None
    repeat = (form.cleaned_data.get("repeat") or "").strip()
    space = form.space_changes()
    if not repeat:
        event = services.create_event(
            guild,
            form.draft(),
            now=now,
            created_by_id=member_id,
            channel_id=channel_id,
            reminder_offsets=form.reminder_offsets(),
            expected=form.expectation(),
            gates=form.gates(),
        )
        if space:
            spaces.configure(event.id, member_id=member_id, check=False, **space)
        return event
    if space:
        raise RuleError(
            "A series' occurrences take the server's thread, channel and role defaults (Settings); "
            "leave these as they are, or change one occurrence once it is made."
        )
    plan = series.SeriesPlan(
        parse_rule(repeat),
        channel_id=channel_id,
        reminder_offsets=tuple(form.reminder_offsets()),
        expected=form.expectation(),
        gates=form.gates(),
    )
    made = series.create_series(guild, form.draft(), plan, now=now, created_by_id=member_id)
    first = made.occurrences.order_by("starts_at").first()
    if first is None:  # the page shows an event: the first must be in the window
        raise RuleError(
            f"The first occurrence is more than {series.window().days} days ahead; "
            "create the series nearer to its start (or from Discord)."
        )
    return first


@login_required
def event_edit(request, guild_id: int, event_id: int):
    """/event edit on the web: registrants are told of a new title, time or place, as from Discord."""
    guild, event = _event(request, guild_id, event_id)
    now, member_id = timezone.now(), _member_id(request)
    form = EventForm(request.POST or None, guild=guild, member_id=member_id, now=now, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            changes, space = form.changes(), form.space_changes()
            if not changes and not space:
                raise RuleError("Nothing to change: edit at least one field.")
            scope = form.cleaned_data.get("scope") or series.THIS
            with transaction.atomic():  # the space, the event and the log's row, or none
                if space:  # this event alone, as /event edit's space options
                    spaces.configure(event.id, member_id=member_id, check=False, **space)
                edited = (
                    series.edit_occurrence(event.id, scope, now=now, editor_id=member_id, **changes)
                    if changes
                    else None
                )
                count = edited.occurrences if edited else 1
                others = f" and {count - 1} other occurrences" if count > 1 else ""
                names = sorted(changes) + (["space"] if space else [])
                organiser_log.record(request, guild.id, "edited event", event, "changed " + ", ".join(names) + others)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            title = edited.event.title if edited else event.title
            told = " Registrants will be told by DM." if edited and edited.told else ""
            made = (
                " Muster makes its thread, channel or role in Discord within a minute; if its role lacks a "
                "permission, nothing is made and you get a DM saying what to grant."
                if space
                else ""
            )
            messages.success(request, f"Updated {title}{others}.{told}{made}")
            return redirect("dashboard:event", guild_id=guild.id, event_id=event.id)
    status = 400 if form.errors else 200
    context = {"form": form, "creating": False, "event": event}
    return render_guild(request, guild, "events", "dashboard/event/form.html", context, status=status)


@login_required
def event_cancel(request, guild_id: int, event_id: int):
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    scope = request.POST.get("scope") or series.THIS
    if event.status == Event.Status.CANCELLED and scope == series.THIS:
        messages.info(request, "This event was already cancelled.")
    else:
        try:
            cancelled = series.cancel_occurrence(event.id, scope, now=timezone.now())
        except RuleError as error:
            messages.error(request, error.message)
        else:
            others = f" with {cancelled - 1} other occurrences" if cancelled > 1 else ""
            organiser_log.record(request, guild.id, "cancelled event", event, f"registrants are told by DM{others}")
            messages.success(request, f"Cancelled{others}; registrants will be told by DM.")
    return redirect("dashboard:event", guild_id=guild.id, event_id=event.id)


def _registered(request, event: Event):
    """The registration a roster action names (``member``), or a RuleError the page shows."""
    try:
        member_id = int(request.POST.get("member", ""))
    except ValueError:
        raise RuleError("Pick a member of the roster.") from None
    registration = event.registrations.filter(member_id=member_id).select_related("member").first()
    if registration is None:
        raise RuleError("That member is not registered.")
    return registration


@login_required
def registration_remove(request, guild_id: int, event_id: int):
    """/event remove: the place goes to the first on the waitlist, who is told by DM."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        registration = _registered(request, event)
        promoted = services.remove_registration(event.id, registration.member_id, now=timezone.now())
    except RuleError as error:
        messages.error(request, error.message)
    else:
        name = registration.member.display_name or registration.member.username
        organiser_log.record(request, guild.id, "removed registration", event, f"{name} ({registration.status})")
        moved = " The first on the waitlist moves up." if promoted else ""
        messages.success(request, f"Removed {name}.{moved}")
    return redirect("dashboard:event", guild_id=guild.id, event_id=event.id)


@login_required
def registration_move(request, guild_id: int, event_id: int):
    """Answer for a registered member, as their own click would: Going joins the waitlist when full."""
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    choice, now = request.POST.get("status", ""), timezone.now()
    option = request.POST.get("option", "")
    try:
        registration = _registered(request, event)
        response = services.respond(
            event.id,
            registration.member_id,
            choice,
            sequence=services.click_sequence(now),
            now=now,
            # Going as the option picked beside it (events with signup options)
            option_id=int(option) if choice == Status.GOING and option.isdigit() else None,
        )
    except RuleError as error:
        messages.error(request, error.message)
    else:
        name = registration.member.display_name or registration.member.username
        label = dict(Status.choices)[response.status] + (f" as {response.option}" if response.option else "")
        if response.changed:
            organiser_log.record(
                request, guild.id, "moved registration", event, f"{name}: {registration.status} → {response.status}"
            )
        messages.success(request, f"{name}: {label}." if response.changed else f"{name} was already {label}.")
    return redirect("dashboard:event", guild_id=guild.id, event_id=event.id)
