"""Who is away: the provider that quiets Muster (core.nudging), and the daily "Away today" post.

``away_provider`` is registered with ``core.nudging.register_away`` (``LeaveConfig.ready``):
given (guild, member) pairs and a moment, it names those on approved leave at that moment
("on leave until Friday 12 December") or on a public holiday of their guild ("on a public
holiday: Christmas Day"), each read in the member's own time zone (else the guild's). A
half day is the morning (before noon) or the afternoon. Three queries, whatever the number
of pairs: the memberships with their zones and the guilds' holiday countries, the approved
leave, the guilds' own holidays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from core import outbox
from core.models import GuildMember
from leave import days_off
from leave.discord import messages
from leave.models import Holiday, LeaveRequest, LeaveSettings

Pair = tuple[int, int]
NOON = 12


def _reason(request: dict, local: datetime) -> str | None:
    if request["half"] == LeaveRequest.Half.MORNING:
        return "on leave this morning" if local.hour < NOON else None
    if request["half"] == LeaveRequest.Half.AFTERNOON:
        return "on leave this afternoon" if local.hour >= NOON else None
    end: date = request["end"]
    return f"on leave until {end:%A} {end.day} {end:%B}"


def away_provider(pairs: frozenset[Pair], at: datetime) -> dict[Pair, str]:
    """The pairs on approved leave or a public holiday at ``at``, with the reason people read."""
    if not pairs:
        return {}
    guilds, members = {g for g, _ in pairs}, {m for _, m in pairs}
    memberships = GuildMember.objects.filter(guild_id__in=guilds, member_id__in=members).values_list(
        "guild_id",
        "member_id",
        "member__timezone",
        "guild__timezone",
        "guild__leave_settings__holiday_country",
        "guild__leave_settings__holiday_subdivision",
    )
    local: dict[Pair, datetime] = {}
    countries: dict[int, tuple[str, str]] = {}
    for guild_id, member_id, member_tz, guild_tz, country, subdivision in memberships:
        if (guild_id, member_id) in pairs:
            local[(guild_id, member_id)] = at.astimezone(ZoneInfo(member_tz or guild_tz or "UTC"))
            countries[guild_id] = (country or "", subdivision or "")
    if not local:
        return {}
    days = {moment.date() for moment in local.values()}
    first, last = min(days), max(days)
    leave = LeaveRequest.objects.filter(
        guild_id__in=guilds,
        member_id__in=members,
        status=LeaveRequest.Status.APPROVED,
        start__lte=last,
        end__gte=first,
    ).values("guild_id", "member_id", "start", "end", "half")
    found: dict[Pair, str] = {}
    for request in leave:
        pair = (request["guild_id"], request["member_id"])
        moment = local.get(pair)
        if moment is None or not request["start"] <= moment.date() <= request["end"] or pair in found:
            continue
        reason = _reason(request, moment)
        if reason:
            found[pair] = reason
    holidays: dict[tuple[int, date], str] = {}
    for guild_id, (country, subdivision) in countries.items():
        for day, name in days_off.country_holidays(country, subdivision, first, last).items():
            holidays[(guild_id, day)] = name
    own = Holiday.objects.filter(guild_id__in=guilds, date__range=(first, last)).values_list("guild_id", "date", "name")
    holidays.update({(guild_id, day): name for guild_id, day, name in own})
    for pair, moment in local.items():
        name = holidays.get((pair[0], moment.date()))
        if name and pair not in found:
            found[pair] = f"on a public holiday: {name}"
    return found


def who_is_away(guild_id: int, start: date, end: date) -> list[LeaveRequest]:
    """Approved leave in the guild touching ``start``..``end``, by start then name."""
    return list(
        LeaveRequest.objects.filter(
            guild_id=guild_id, status=LeaveRequest.Status.APPROVED, start__lte=end, end__gte=start
        )
        .select_related("leave_type", "member")
        .order_by("start", "member__username")
    )


def post_due(*, now: datetime) -> int:
    """The beat tick: each guild with an Away today channel gets one post per local working
    day, at its hour; claimed by a compare-and-set on ``away_posted_on`` (and the outbox key)."""
    posted = 0
    for settings in LeaveSettings.objects.filter(channel_id__isnull=False).select_related("guild"):
        local = now.astimezone(ZoneInfo(settings.guild.timezone or "UTC"))
        today = local.date()
        if local.hour < settings.away_post_hour or settings.away_posted_on == today:
            continue
        if today.weekday() in days_off.WEEKEND:
            continue
        with transaction.atomic():
            claimed = LeaveSettings.objects.filter(id=settings.id, away_posted_on=settings.away_posted_on).update(
                away_posted_on=today
            )
            if not claimed:
                continue
            holiday = days_off.days_off(settings.guild_id, today, today, settings=settings).get(today)
            payload = messages.away_post(today, who_is_away(settings.guild_id, today, today), holiday)
            outbox.enqueue(
                key=f"leave:away:{settings.guild_id}:{today.isoformat()}",
                channel_id=settings.channel_id,
                guild_id=settings.guild_id,
                payload=payload,
            )
            posted += 1
    return posted


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
