"""Polls of a guild: results as bars, who voted for what (only in polls that are not anonymous), closing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from core.models import Member
from core.permissions import SESSION_MEMBER_ID
from polls import date_polls, services
from polls.models import Option, Poll

from .charts import Bar, share_bar
from .event_forms import PollEditForm, PollForm
from .nav import render_guild
from .scoping import organised_guild_or_404
from .submissions import create_once

LISTED = 50  # polls per page of the list, newest first


@dataclass(frozen=True)
class Result:
    position: int
    label: str
    votes: int
    bar: Bar
    voters: list[Member]
    option_id: int = 0
    starts_at: datetime | None = None  # a date poll's candidate time


def tallies(polls) -> dict[int, list[Result]]:
    """Each poll's options with their votes as bars, in option order: one query for all the polls."""
    options = Option.objects.filter(poll__in=polls).annotate(n=Count("votes")).order_by("poll_id", "position")
    by_poll: dict[int, list[Option]] = {}
    for option in options:
        by_poll.setdefault(option.poll_id, []).append(option)
    result = {}
    for poll_id, rows in by_poll.items():
        total = sum(option.n for option in rows)
        result[poll_id] = [
            Result(option.position, option.label, option.n, share_bar(option.n, total), [], option.id, option.starts_at)
            for option in rows
        ]
    return result


def _poll(request, guild_id: int, poll_id: int) -> tuple:
    guild = organised_guild_or_404(request, guild_id)
    return guild, get_object_or_404(Poll.objects.filter(guild=guild), pk=poll_id)


@login_required
def poll_list(request, guild_id: int):
    """Open polls first, then the closed ones, each with its results."""
    guild = organised_guild_or_404(request, guild_id)
    polls = list(Poll.objects.filter(guild=guild).order_by("-status", "-created_at", "-id")[:LISTED])
    results = tallies(polls)
    rows = [(poll, results.get(poll.id, [])) for poll in polls]
    return render_guild(request, guild, "polls", "dashboard/poll/list.html", {"rows": rows})


@login_required
def poll_detail(request, guild_id: int, poll_id: int):
    """One poll's results; the first voters per option by name unless the poll is anonymous."""
    guild, poll = _poll(request, guild_id, poll_id)
    results = tallies([poll]).get(poll.id, [])
    voters = poll.voters()  # {} for an anonymous poll: its votes carry no member id
    members = Member.objects.in_bulk({member_id for ids in voters.values() for member_id in ids})
    results = [replace(r, voters=[members[m] for m in voters.get(r.position, []) if m in members]) for r in results]
    now = timezone.now()
    dates = poll.kind == Poll.Kind.DATES
    context = {
        "poll": poll,
        "results": results,
        "show_voters": not poll.anonymous,
        # A date poll whose date is not chosen: each time still ahead has its Pick this date.
        "pickable": {r.option_id for r in results if r.starts_at and r.starts_at > now}
        if dates and poll.decided_option_id is None
        else set(),
        "dates": dates,
    }
    return render_guild(request, guild, "polls", "dashboard/poll/detail.html", context)


@login_required
def poll_close(request, guild_id: int, poll_id: int):
    """Close the poll now and post its results, as the admin's action and the beat tick do."""
    guild, poll = _poll(request, guild_id, poll_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    if services.close_poll(poll.id, now=timezone.now()):
        organiser_log.record(request, guild.id, "closed poll", poll, "the results are posted")
        messages.success(request, "Closed; the results are posted in Discord.")
    else:
        messages.info(request, "This poll was already closed.")
    return redirect("dashboard:poll", guild_id=guild.id, poll_id=poll.id)


@login_required
def poll_create(request, guild_id: int):
    """/poll create on the web: posted in a channel Muster knows in the guild."""
    guild = organised_guild_or_404(request, guild_id)
    now = timezone.now()
    member_id = int(request.session[SESSION_MEMBER_ID]) if request.session.get(SESSION_MEMBER_ID) else None
    form = PollForm(request.POST or None, guild=guild, member_id=member_id, now=now)
    if request.method == "POST" and form.is_valid():
        try:
            poll_id, first = create_once(
                request,
                guild,
                form,
                "created poll",
                lambda: services.create_poll(
                    guild, form.draft(), now=now, created_by_id=member_id, channel_id=form.cleaned_data["channel"]
                ),
                lambda poll: f"posted in #{poll.channel_id}",
            )
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            if first:
                messages.success(request, "Created; the poll is posted in Discord.")
            else:
                messages.info(request, "This form was already sent: the poll was created once.")
            return redirect("dashboard:poll", guild_id=guild.id, poll_id=poll_id)
    status = 400 if form.errors else 200
    return render_guild(request, guild, "polls", "dashboard/poll/form.html", {"form": form}, status=status)


@login_required
def poll_edit(request, guild_id: int, poll_id: int):
    """Change an open poll's question or closing time, through the admin's form; the post is redrawn."""
    guild, poll = _poll(request, guild_id, poll_id)
    with timezone.override(guild.timezone):  # the closing time is typed and shown in the guild's zone
        form = PollEditForm(request.POST or None, instance=poll)
        if request.method == "POST" and form.is_valid():
            changed = form.changed_data
            if changed:
                form.save()
                services.poll_edited(poll.id)
                organiser_log.record(request, guild.id, "edited poll", poll, ", ".join(changed))
                messages.success(request, "Saved; the poll's post in Discord shows it within a few seconds.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("dashboard:poll", guild_id=guild.id, poll_id=poll.id)
        status = 400 if form.errors else 200
        context = {"poll": poll, "form": form, "zone": guild.timezone}
        return render_guild(request, guild, "polls", "dashboard/poll/edit.html", context, status=status)


@login_required
def poll_decide(request, guild_id: int, poll_id: int):
    """Pick this date (/poll decide): the event is created at it, its voters registered in vote order."""
    guild, poll = _poll(request, guild_id, poll_id)
    if request.method != "POST":  # after the scoping: another guild's URL is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    option_id = request.POST.get("option", "")
    try:
        if not option_id.isdigit():
            raise RuleError("Pick one of the poll's dates.")
        with transaction.atomic():  # the log's row with the decision, or neither
            decided = date_polls.decide(poll.id, int(option_id), now=timezone.now(), guild_id=guild.id)
            organiser_log.record(
                request, guild.id, "picked date", poll, f"{decided.option.label}: event {decided.event_id}"
            )
    except RuleError as error:
        messages.error(request, error.message)
        return redirect("dashboard:poll", guild_id=guild.id, poll_id=poll.id)
    going = f"{decided.going} voter{'s' if decided.going != 1 else ''} registered as going in vote order"
    told = f"; {decided.others} who voted only for other dates are told" if decided.others else ""
    messages.success(request, f"Picked {decided.option.label}: the event is posted in Discord, {going}{told}.")
    if decided.event_id is None:
        return redirect("dashboard:poll", guild_id=guild.id, poll_id=poll.id)
    return redirect("dashboard:event", guild_id=guild.id, event_id=decided.event_id)
