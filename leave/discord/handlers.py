"""Worker-side handlers of /leave and of the approvers' buttons and form.

Each reads the interaction, calls one service (``leave.services``) and says what happened.
The approvers' buttons sit in a DM, so they carry no guild: the service checks the clicker
is an approver of the request's guild.
"""

from __future__ import annotations

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, Update, command, component, modal
from core.timeparse import day_first, member_zone, parse_local_date
from leave import away, services
from leave.balances import balance as balance_of
from leave.discord import messages
from leave.discord.messages import APPROVE, DECLINE_FORM
from leave.models import LeaveRequest, day_text, days_text


@command("leave request")
def request(interaction: Interaction) -> Reply:
    guild_id, member_id, options = interaction.guild_id, interaction.actor.id, interaction.options
    now = timezone.now()
    zone, dmy = member_zone(member_id, guild_id), day_first(guild_id)
    leave_type = services.find_type(guild_id, str(options.get("type") or ""))
    start = parse_local_date(str(options.get("from") or ""), zone, now=now, field="from date", day_first=dmy)
    end = parse_local_date(str(options.get("to") or ""), zone, now=now, field="to date", day_first=dmy)
    asked = services.Asked(
        leave_type, start, end, half=str(options.get("half") or ""), note=str(options.get("note") or "")
    )
    made = services.request_leave(guild_id, member_id, asked, now=now)
    what = f"{leave_type.name} leave, {made.span_text()}: {days_text(made.days)}"
    if made.status == LeaveRequest.Status.APPROVED:
        return Reply(content=f"Approved: {what} (request #{made.id}). Muster keeps quiet for you on those days.")
    if not services.approvers(guild_id, exclude=member_id):
        return Reply(
            content=f"Asked for {what} (request #{made.id}), but this server has no leave approver yet: "
            "ask an organiser to decide it on the dashboard, or to set the approver role."
        )
    return Reply(content=f"Asked for {what} (request #{made.id}). The approvers have it; you will get a DM.")


@command("leave balance")
def balance(interaction: Interaction) -> Reply:
    guild_id, member_id = interaction.guild_id, interaction.actor.id
    year = interaction.options.get("year") or services.local_today(member_id, guild_id, timezone.now()).year
    lines = []
    for leave_type in services.types_of(guild_id):
        held = balance_of(member_id, leave_type, int(year))
        if held.allowance is None:
            left = "unlimited"
        else:
            carried = f" (+{days_text(held.carried)} carried over)" if held.carried else ""
            left = f"{days_text(held.remaining)} left of {days_text(held.allowance)}{carried}"
        lines.append(f"**{leave_type.name}**: {left}; {days_text(held.used)} taken, {days_text(held.pending)} waiting")
    embed = {"title": f"Your leave in {year}", "description": "\n".join(lines) or "No leave types."}
    return Reply(embeds=[embed])


@command("leave mine")
def mine(interaction: Interaction) -> Reply:
    guild_id, member_id = interaction.guild_id, interaction.actor.id
    today = services.local_today(member_id, guild_id, timezone.now())
    found = services.mine(guild_id, member_id, today=today)
    if not found:
        return Reply(content="You have no leave waiting or ahead. Ask with /leave request.")
    lines = [f"#{request.id} {messages.request_line(request)}" for request in found[:30]]
    return Reply(embeds=[{"title": "Your leave", "description": "\n".join(lines)}])


@command("leave cancel")
def cancel(interaction: Interaction) -> Reply:
    request_id = int(interaction.options.get("request") or 0)
    found = LeaveRequest.objects.filter(id=request_id, guild_id=interaction.guild_id).first()
    if found is None:
        raise RuleError("You have no such leave request: see /leave mine.")
    cancelled = services.cancel(request_id, interaction.actor.id, now=timezone.now())
    back = " Its days are back in your balance." if found.status == LeaveRequest.Status.APPROVED else ""
    return Reply(content=f"Cancelled: {messages.request_line(cancelled)}.{back}")


@command("leave who")
def who(interaction: Interaction) -> Reply:
    guild_id = interaction.guild_id
    today = services.local_today(interaction.actor.id, guild_id, timezone.now())
    if interaction.options.get("when") == "week":
        start, end = away.week_of(today)
        title = f"Away this week ({day_text(start)} to {day_text(end)})"
    else:
        start = end = today
        title = f"Away today, {day_text(today)}"
    found = away.who_is_away(guild_id, start, end)
    lines = messages.away_lines(found)
    if start != end:
        lines = [f"{line} (from {r.start:%a} {r.start.day} {r.start:%b})" for line, r in zip(lines, found, strict=True)]
    embed = {"title": title, "description": "\n".join(lines[:40]) or "Nobody is away."}
    return Reply(embeds=[embed], allowed_mentions={"parse": []})


@component(APPROVE)
def approve(interaction: Interaction, request_id: int) -> Update:
    decided = services.approve(request_id, interaction.actor.id, now=timezone.now())
    return Update(**messages.decided_message(decided, by_you=True))


@modal(DECLINE_FORM)
def decline(interaction: Interaction, request_id: int) -> Reply:
    reason = interaction.fields.get("reason") or ""
    decided = services.decline(request_id, interaction.actor.id, reason, now=timezone.now())
    return Reply(content=f"Declined: {messages.request_line(decided)}. <@{decided.member_id}> is told why.")
