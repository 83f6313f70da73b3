"""How teams look in Discord: the DMs that tell members their team, the lists, and the event
post's footer lines.

DMs go through the outbox in the caller's transaction, each keyed by the one placement it
tells (a ``TeamMember`` row is made anew for every placement), so a retried sync sends nothing
twice and a member moved back and forth is told where they ended.
"""

from __future__ import annotations

from core import outbox
from core.markup import escape, timestamp, truncate

POST_TEAMS_SHOWN = 8  # teams named on the event post; the rest are counted
NAMES_SHOWN = 6  # members named per team on the post


def title(event) -> str:
    return f"**{escape(truncate(event.title, 100))}**"


def member_name(member) -> str:
    return truncate(member.display_name or member.username, 40)


def _places(team) -> list[str]:
    places = []
    if team.role_id:
        places.append(f"role <@&{team.role_id}>")
    if team.thread_id:
        places.append(f"thread <#{team.thread_id}>")
    if team.voice_channel_id:
        places.append(f"voice channel <#{team.voice_channel_id}>")
    return places


def placed_text(event, team) -> str:
    mates = [f"<@{m}>" for m in team.memberships.order_by("added_at", "id").values_list("member_id", flat=True)]
    captain = f" Captain: <@{team.captain_id}>." if team.captain_id else ""
    places = _places(team)
    where = f" Yours in Discord: {', '.join(places)}." if places else ""
    return (
        f"You are in team **{escape(team.name)}** for {title(event)} ({timestamp(event.starts_at, 'F')}). "
        f"The team: {', '.join(mates[:25])}{' and more' if len(mates) > 25 else ''}.{captain}{where} "
        "`/team mine` shows it again."
    )


def tell_placed(event, team, membership) -> None:
    """DM the member the team they are in (once per placement)."""
    outbox.enqueue(
        key=f"team-member:{membership.id}:told",
        member_id=membership.member_id,
        guild_id=event.guild_id,
        payload={"content": placed_text(event, team), "allowed_mentions": {"parse": []}},
    )


def tell_removed(event, team, membership) -> None:
    """DM a member taken out of a team they were told of (nothing if they never heard of it)."""
    if membership.told_at is None:
        return
    text = (
        f"You are no longer in team **{escape(team.name)}** for {title(event)}. "
        "An organiser may put you in another; you will get a DM if so."
    )
    outbox.enqueue(
        key=f"team-member:{membership.id}:removed",
        member_id=membership.member_id,
        guild_id=event.guild_id,
        payload={"content": text, "allowed_mentions": {"parse": []}},
    )


def team_line(team, memberships) -> str:
    """A team in a list: its name, captain marked, members as mentions."""
    names = []
    for membership in memberships:
        mark = " (captain)" if membership.member_id == team.captain_id else ""
        names.append(f"<@{membership.member_id}>{mark}")
    who = ", ".join(names) if names else "nobody yet"
    places = _places(team)
    where = f" · {' · '.join(places)}" if places else ""
    return f"**{escape(team.name)}** ({len(memberships)}): {who}{where}"


def list_text(event, teams, unplaced: list[int]) -> str:
    if not teams:
        return f"{title(event)} has no teams yet."
    lines = [f"Teams of {title(event)}:"] + [team_line(team, members) for team, members in teams]
    if unplaced:
        shown = ", ".join(f"<@{m}>" for m in unplaced[:20])
        more = f" and {len(unplaced) - 20} more" if len(unplaced) > 20 else ""
        lines.append(f"Going, in no team: {shown}{more}.")
    return truncate("\n".join(lines), 2000)


def footer_lines(teams) -> list[str]:
    """The event post's footer: one line per team (plain text: footers show no mentions)."""
    lines = ["Teams:"] if teams else []
    for team, memberships in teams[:POST_TEAMS_SHOWN]:
        names = [member_name(m.member) for m in memberships[:NAMES_SHOWN]]
        if len(memberships) > NAMES_SHOWN:
            names.append(f"+{len(memberships) - NAMES_SHOWN}")
        lines.append(f"{truncate(team.name, 40)} ({len(memberships)}): {', '.join(names) or '-'}")
    if len(teams) > POST_TEAMS_SHOWN:
        lines.append(f"and {len(teams) - POST_TEAMS_SHOWN} more teams (/team list)")
    return lines
