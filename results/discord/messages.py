"""How results, standings and check-in look in Discord.

The results embed is posted in the event's channel through the outbox (its key names the
sheet and its channel's version) and redrawn by the ``@renderer`` when they are posted again.
Members are mentions (an embed pings nobody), user text is escaped.
"""

from __future__ import annotations

from core import outbox
from core.interactions.components import button
from core.interactions.custom_ids import CustomId
from core.markup import bold, escape_within, timestamp, truncate
from core.refresh import Rendered, renderer
from results.models import ResultSheet

COLOUR = 0xF1C40F
RESULTS_KIND = "results"
DESCRIPTION_LIMIT = 4000
CHECK_IN = CustomId("results:checkin:{event_id:int}")
POST_FORM = CustomId("results:post:{event_id:int}")
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def who(entry) -> str:
    """A member's mention, else the team's or the name, escaped."""
    return f"<@{entry.member_id}>" if entry.member_id else escape_within(entry.name, 80)


def points(value: int) -> str:
    return f"{value} pt" if abs(value) == 1 else f"{value} pts"


def places(positions: list[int]) -> list[str]:
    """Each position as shown: "=2" where two or more share it."""
    shared = {p for p in positions if positions.count(p) > 1}
    return [f"={p}" if p in shared else str(p) for p in positions]


def entry_lines(entries: list) -> list[str]:
    lines = []
    for entry, shown in zip(entries, places([e.position for e in entries]), strict=True):
        medal = MEDALS.get(entry.position, "")
        note = f" — {escape_within(entry.note, 150)}" if entry.note else ""
        lines.append(f"{medal}**{shown}.** {who(entry)} · {points(entry.points)}{note}".strip())
    return lines


def lines_within(lines: list[str], limit: int = DESCRIPTION_LIMIT) -> str:
    shown, used = [], 0
    for i, line in enumerate(lines):
        if used + len(line) + 1 > limit - 20:
            shown.append(f"…and {len(lines) - i} more")
            break
        shown.append(line)
        used += len(line) + 1
    return "\n".join(shown)


def results_embed(sheet: ResultSheet) -> dict:
    event = sheet.event
    entries = list(sheet.entries.all())
    embed = {
        "title": truncate(f"Results: {event.title}", 256),
        "description": lines_within(entry_lines(entries)) if entries else "No entries.",
        "color": COLOUR,
        "fields": [{"name": "Event", "value": timestamp(event.starts_at, "F"), "inline": True}],
    }
    if sheet.season_id:
        embed["fields"].append({"name": "Season", "value": escape_within(sheet.season.name, 100), "inline": True})
        embed["footer"] = {"text": truncate(f"/standings season:{sheet.season.name}", 2048)}
    return embed


def podium_footer(podium: list) -> str:
    """The event post's line of its best placed (plain text: a footer shows no mentions)."""
    shown = places([entry.position for entry in podium])
    names = ", ".join(f"{place}. {truncate(entry.name, 40)}" for entry, place in zip(podium, shown, strict=True))
    return f"Results: {names} · /results show"


def results_message(sheet: ResultSheet) -> dict:
    return {"content": "", "embeds": [results_embed(sheet)], "allowed_mentions": {"parse": []}}


@renderer(RESULTS_KIND)
def render_results(sheet_id: int) -> Rendered | None:
    """The results as they are now (nothing until their post is delivered)."""
    sheet = ResultSheet.objects.filter(id=sheet_id).select_related("event", "season").first()
    if sheet is None or outbox.posted_message_id(sheet, sheet.post_key) is None:
        return None
    return Rendered(sheet.channel_id, sheet.message_id, results_message(sheet))


def standings_lines(rows: list, limit: int = 50) -> list[str]:
    lines = []
    for standing in rows[:limit]:
        name = f"<@{standing.member_id}>" if standing.member_id else escape_within(standing.name, 80)
        wins = f", {standing.wins} {'win' if standing.wins == 1 else 'wins'}" if standing.wins else ""
        events = f"{standing.events} {'event' if standing.events == 1 else 'events'}"
        lines.append(f"**{standing.shown_place}.** {name} · {points(standing.points)} ({events}{wins})")
    if len(rows) > limit:
        lines.append(f"…and {len(rows) - limit} more (the dashboard shows them all)")
    return lines


def standings_message(season, rows: list) -> dict:
    breaks = ", then ".join(label.split(" (")[0].lower() for label in season.tie_break_labels())
    embed = {
        "title": truncate(f"Standings: {season.name}", 256),
        "description": lines_within(standings_lines(rows)) if rows else "No results in this season yet.",
        "color": COLOUR,
        "footer": {"text": f"Level on points: {breaks or 'a shared place'}."},
    }
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def check_in_button(event_id: int) -> dict:
    return button("Check in", CHECK_IN.build(event_id=event_id), style="success")


def check_in_footer(checked: int, going: int, *, live: bool, before: bool) -> str:
    if before:
        return "Check-in opens shortly before the start."
    state = "" if live else " (check-in closed)"
    return f"Checked in: {checked} of {going} going{state}"


def checked_in_text(event) -> str:
    return f"You are checked in to {bold(event.title)}."
