"""An event's timeline on the dashboard: its items, added, edited and removed (through
``timeline.services``, logged in the organiser log), and the whole timeline shifted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core import organiser_log
from core.errors import RuleError
from core.permissions import SESSION_MEMBER_ID
from dashboard.forms_timeline import ItemForm, ShiftForm
from dashboard.nav import render_guild
from dashboard.scoping import in_organised_guilds, organised_guild_or_404
from dashboard.submissions import create_once
from events.models import Event
from timeline import services
from timeline.models import Item


def _event(request, guild_id: int, event_id: int):
    guild = organised_guild_or_404(request, guild_id)
    events = in_organised_guilds(request, Event.objects.filter(guild=guild).select_related("guild"))
    return guild, get_object_or_404(events, pk=event_id)


def _detail(item: Item) -> str:
    return f"{item.event.title}: {item.title} at {item.due_at:%Y-%m-%d %H:%M} UTC"


def _page(request, guild, event, form, *, shift_form=None, status: int = 200):
    items = [(item, _who(item)) for item in services.items_of(event.id)]
    context = {"event": event, "items": items, "form": form, "shift_form": shift_form or ShiftForm()}
    return render_guild(request, guild, "events", "dashboard/event/timeline.html", context, status=status)


def _who(item: Item) -> str:
    names = [str(m) for m in item.people.all()]
    if item.team_id:
        names.insert(0, f"team {item.team.name}")
    return ", ".join(names)


@login_required
def timeline(request, guild_id: int, event_id: int):
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return _page(request, guild, event, ItemForm(event))
    form = ItemForm(event, request.POST)
    if not form.is_valid():
        return _page(request, guild, event, form, status=400)
    member_id = request.session.get(SESSION_MEMBER_ID)
    try:
        draft = form.draft(member_id, timezone.now())
        _, first = create_once(
            request,
            guild,
            form,
            "added timeline item",
            lambda: services.add_item(event.id, guild.id, draft, created_by=member_id),
            _detail,
        )
    except RuleError as error:
        form.add_error(None, error.message)
        return _page(request, guild, event, form, status=400)
    if not first:
        messages.info(request, "This form was already sent: the item was added once.")
    return redirect("dashboard:event_timeline", guild_id=guild.id, event_id=event.id)


@login_required
def item_edit(request, guild_id: int, event_id: int, item_id: int):
    guild, event = _event(request, guild_id, event_id)
    item = get_object_or_404(Item.objects.filter(event=event).select_related("event", "team"), pk=item_id)
    if request.method != "POST":
        form = ItemForm.of(item)
        return render_guild(
            request, guild, "events", "dashboard/event/timeline_item.html", {"event": event, "item": item, "form": form}
        )
    form = ItemForm(event, request.POST)
    status = 400
    if form.is_valid():
        try:
            with transaction.atomic():
                draft = form.draft(request.session.get(SESSION_MEMBER_ID), timezone.now())
                saved = services.edit_item(item.id, guild.id, draft)
                organiser_log.record(request, guild.id, "edited timeline item", saved, _detail(saved))
            return redirect("dashboard:event_timeline", guild_id=guild.id, event_id=event.id)
        except RuleError as error:
            form.add_error(None, error.message)
    context = {"event": event, "item": item, "form": form}
    return render_guild(request, guild, "events", "dashboard/event/timeline_item.html", context, status=status)


@login_required
def item_remove(request, guild_id: int, event_id: int, item_id: int):
    guild, event = _event(request, guild_id, event_id)
    item = get_object_or_404(Item.objects.filter(event=event).select_related("event"), pk=item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        organiser_log.record(request, guild.id, "removed timeline item", item, _detail(item))
        services.remove_item(item.id, guild.id)
    return redirect("dashboard:event_timeline", guild_id=guild.id, event_id=event.id)


@login_required
def timeline_shift(request, guild_id: int, event_id: int):
    guild, event = _event(request, guild_id, event_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ShiftForm(request.POST)
    if not form.is_valid():
        return _page(request, guild, event, ItemForm(event), shift_form=form, status=400)
    try:
        with transaction.atomic():
            record = services.shift(
                event.id,
                guild.id,
                form.cleaned_data["minutes"],
                by=request.session.get(SESSION_MEMBER_ID),
                now=timezone.now(),
            )
            organiser_log.record(
                request, guild.id, "shifted timeline", event, f"{record.minutes:+d} min, {record.moved} items"
            )
    except RuleError as error:
        form.add_error(None, error.message)
        return _page(request, guild, event, ItemForm(event), shift_form=form, status=409)
    messages.info(request, f"Moved {record.moved} items by {record.minutes:+d} minutes; everyone they concern is told.")
    return redirect("dashboard:event_timeline", guild_id=guild.id, event_id=event.id)
