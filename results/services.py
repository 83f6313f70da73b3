"""The rules of results: posting an event's results (each entry a team of the event, a member
or a free name), the season they count towards, and showing them.

Results are posted in the event's channel (else the server's announcement channel, else where
``/results post`` was used) through the outbox, once per sheet and channel; posting again edits
that message through the coalesced refresh. Events are read through the ORM (the sheet's lazy
foreign key), never by importing ``events``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from core import hooks, outbox
from core.errors import RuleError
from core.models import Guild, GuildMember
from core.refresh import schedule_refresh
from results.discord import messages
from results.entries import EntryDraft
from results.models import DEFAULT_TIE_BREAKS, NAME_MAX, ResultEntry, ResultSheet, Season, TieBreak

NOT_IN_GUILD = "There is no such event in this server."
CANCELLED = "cancelled"
MENTION = re.compile(r"^<@!?(\d{15,20})>$")


def event_model():
    return ResultSheet._meta.get_field("event").related_model


def team_model():
    return ResultEntry._meta.get_field("team").related_model


def event_in(guild_id: int, event_id: int, *, lock: bool = False):
    events = event_model().objects.filter(id=int(event_id), guild_id=guild_id)
    event = (events.select_for_update() if lock else events).first()
    if event is None:
        raise RuleError(NOT_IN_GUILD)
    return event


@dataclass(frozen=True)
class Posting:
    """What ``post_results`` is asked: who posts, the season typed (blank: the series', else none),
    and the channel it was asked in (where the results go when the event has no channel)."""

    by_id: int | None
    season: str = ""
    asked_in: int | None = None


# --- seasons ----------------------------------------------------------------------------------


def season_named(guild_id: int, name: str) -> Season | None:
    return Season.objects.filter(guild_id=guild_id, name__iexact=name.strip()).first()


def name_season(guild_id: int, name: str) -> Season:
    """The guild's season of this name (any case), made if new."""
    name = " ".join(name.split())
    if not name:
        raise RuleError("Give the season a name.")
    if len(name) > NAME_MAX:
        raise RuleError(f"A season's name is at most {NAME_MAX} characters.")
    found = season_named(guild_id, name)
    if found is None:
        found = Season.objects.create(guild_id=guild_id, name=name, tie_breaks=list(DEFAULT_TIE_BREAKS))
    return found


def series_season(event) -> Season | None:
    """The season that follows the event's series (made, named after it, the first time)."""
    series = event.series
    if series is None:
        return None
    season = Season.objects.filter(series=series).first()
    if season is None:
        name = series.title[:NAME_MAX]
        season = season_named(event.guild_id, name)
        if season is None or season.series_id is not None:
            season = Season.objects.create(
                guild_id=event.guild_id,
                name=name if season is None else f"{name[: NAME_MAX - 10]} (series)",
                series=series,
                tie_breaks=list(DEFAULT_TIE_BREAKS),
            )
        else:
            season.series = series
            season.save(update_fields=["series", "updated_at"])
    return season


def latest_season(guild_id: int) -> Season | None:
    """The season of the guild's most recent results."""
    sheet = ResultSheet.objects.filter(guild_id=guild_id, season__isnull=False).order_by("-event__starts_at").first()
    return sheet.season if sheet else None


def set_tie_breaks(season: Season, tie_breaks: list[str]) -> Season:
    """The tie-breaks of a season, in the order they apply."""
    unknown = [value for value in tie_breaks if value not in TieBreak.values]
    if unknown:
        raise RuleError(f"I know no tie-break {unknown[0]!r}: choose from {', '.join(TieBreak.values)}.")
    if len(set(tie_breaks)) != len(tie_breaks):
        raise RuleError("Name each tie-break once.")
    season.tie_breaks = list(tie_breaks)
    season.save(update_fields=["tie_breaks", "updated_at"])
    return season


# --- posting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    team_id: int | None
    member_id: int | None
    name: str


def _members_by_name(guild_id: int) -> dict[str, dict[int, str]]:
    """Current members by each of their names (nickname, display name, username), any case."""
    found: dict[str, dict[int, str]] = {}
    current = GuildMember.objects.filter(guild_id=guild_id, left_at__isnull=True).select_related("member")
    for membership in current:
        member = membership.member
        shown = membership.nickname or member.display_name or member.username
        for name in {membership.nickname, member.display_name, member.username} - {""}:
            found.setdefault(name.casefold(), {})[member.id] = shown
    return found


def resolve(guild_id: int, event_id: int, drafts: list[EntryDraft]) -> list[Resolved]:
    """Who each line names: a mention is a member of the server; a name is one of the event's
    teams, else a member's name in the server (one member only), else a free name."""
    teams = {
        name.casefold(): (team_id, name)
        for team_id, name in team_model().objects.filter(event_id=event_id).values_list("id", "name")
    }
    members = _members_by_name(guild_id)
    resolved, seen = [], {}
    for draft in drafts:
        mention = MENTION.match(draft.name)
        if mention:
            membership = GuildMember.objects.filter(guild_id=guild_id, member_id=int(mention[1])).first()
            if membership is None:
                raise RuleError(f"Line {draft.line} names {draft.name}, who is not a member of this server.")
            member = membership.member
            entry = Resolved(None, member.id, membership.nickname or member.display_name or member.username)
        elif draft.name.casefold() in teams:
            team_id, name = teams[draft.name.casefold()]
            entry = Resolved(team_id, None, name)
        elif len(members.get(draft.name.casefold(), {})) == 1:
            [(member_id, name)] = members[draft.name.casefold()].items()
            entry = Resolved(None, member_id, name)
        else:
            entry = Resolved(None, None, draft.name)
        who = ("team", entry.team_id) if entry.team_id else ("member", entry.member_id) if entry.member_id else None
        if who is not None:
            first = seen.setdefault(who, draft.line)
            if first != draft.line:
                raise RuleError(f"Line {draft.line} names {entry.name} again (line {first} did).")
        resolved.append(entry)
    return resolved


def _channel(event, posting: Posting) -> int:
    if event.channel_id:
        return event.channel_id
    guild = Guild.objects.get(id=event.guild_id)
    channel = guild.announcement_channel_id or posting.asked_in
    if not channel:
        raise RuleError(f"{event.title} has no channel and the server no announcement channel: set one first.")
    return channel


def post_results(guild_id: int, event_id: int, drafts: list[EntryDraft], posting: Posting) -> tuple[ResultSheet, bool]:
    """Keep an event's results (replacing any before) and show them in its channel: posted the
    first time, edited after. Returns the sheet and whether it is new."""
    with transaction.atomic():
        event = event_in(guild_id, event_id, lock=True)
        if event.status == CANCELLED:
            raise RuleError(f"{event.title} was cancelled: it has no results.")
        if event.starts_at > timezone.now():
            raise RuleError(f"{event.title} has not started yet: post its results once it has.")
        resolved = resolve(guild_id, event.id, drafts)
        season = name_season(guild_id, posting.season) if posting.season.strip() else None
        sheet = ResultSheet.objects.filter(event=event).first()
        created = sheet is None
        if created:
            sheet = ResultSheet.objects.create(
                event=event, guild_id=guild_id, channel_id=_channel(event, posting), posted_by_id=posting.by_id
            )
        if season is None:
            season = sheet.season if not created and sheet.season_id else series_season(event)
        channel = _channel(event, posting)
        if channel != sheet.channel_id:  # the event moved channel: a new post there
            sheet.channel_id, sheet.version, sheet.message_id = channel, sheet.version + 1, None
        sheet.season, sheet.posted_by_id = season, posting.by_id or sheet.posted_by_id
        sheet.save()
        sheet.entries.all().delete()
        ResultEntry.objects.bulk_create(
            ResultEntry(
                sheet=sheet,
                position=draft.position,
                team_id=who.team_id,
                member_id=who.member_id,
                name=who.name,
                points=draft.points,
                note=draft.note,
            )
            for draft, who in zip(drafts, resolved, strict=True)
        )
        outbox.enqueue(
            key=sheet.post_key,
            channel_id=sheet.channel_id,
            guild_id=guild_id,
            payload=messages.results_message(sheet),
            refresh=(messages.RESULTS_KIND, sheet.id),
        )
        schedule_refresh(messages.RESULTS_KIND, sheet.id)  # edits the post once delivered
        hooks.event_post_stale.call(event_id=event.id)  # its footer names the winners
    return sheet, created


def sheet_of(guild_id: int, event_id: int) -> ResultSheet | None:
    event = event_in(guild_id, event_id)
    return ResultSheet.objects.filter(event=event).select_related("event", "season").first()


def seasons_by_name(guild_id: int):
    return Season.objects.filter(guild_id=guild_id).order_by(Lower("name"))


def post_extras(event_id: int, now) -> hooks.PostExtras | None:
    """The event post's footer line of its results' podium, once posted (core.hooks)."""
    sheet = ResultSheet.objects.filter(event_id=event_id).first()
    if sheet is None:
        return None
    podium = list(sheet.entries.filter(position__lte=3).order_by("position", "id")[:3])
    return hooks.PostExtras(footer=[messages.podium_footer(podium)]) if podium else None
