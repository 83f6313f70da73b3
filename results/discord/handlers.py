"""Worker-side handlers of /results, /standings and the Check in button: read the interaction, call one
service, say what happened."""

from __future__ import annotations

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, command, component, modal
from core.markup import bold
from core.permissions import organiser
from results import checkin, entries, services, standings
from results.discord import messages


@modal(messages.POST_FORM, allowed=organiser)
def post(interaction: Interaction, event_id: int) -> Reply:
    """The submitted /results post form: the entries, one a line, and the season."""
    drafts = entries.parse_lines(interaction.fields.get("entries") or "")
    posting = services.Posting(
        by_id=interaction.actor.id, season=interaction.fields.get("season") or "", asked_in=interaction.channel_id
    )
    sheet, created = services.post_results(interaction.guild_id, event_id, drafts, posting)
    count = sheet.entries.count()
    done = "Posted" if created else "Updated"
    season = f", counted in the season {bold(sheet.season.name)}" if sheet.season_id else ""
    return Reply(
        content=f"{done} the results of {bold(sheet.event.title)} in <#{sheet.channel_id}> "
        f"({count} {'entry' if count == 1 else 'entries'}{season})."
    )


@command("results show")
def show(interaction: Interaction) -> Reply:
    sheet = services.sheet_of(interaction.guild_id, interaction.options["event"])
    if sheet is None:
        event = services.event_in(interaction.guild_id, interaction.options["event"])
        return Reply(content=f"{bold(event.title)} has no results yet.")
    return Reply(**messages.results_message(sheet))


@command("standings")
def show_standings(interaction: Interaction) -> Reply:
    typed = interaction.options.get("season")
    season = (
        services.season_named(interaction.guild_id, typed) if typed else services.latest_season(interaction.guild_id)
    )
    if season is None:
        if typed:
            raise RuleError(f"There is no season named {typed!r} here: /results post names one.")
        raise RuleError("No results count towards a season yet: /results post names one.")
    return Reply(**messages.standings_message(season, standings.standings(season)))


@command("results season", allowed=organiser)
def season(interaction: Interaction) -> Reply:
    options = interaction.options
    found = services.name_season(interaction.guild_id, options["season"])
    chosen = [options[name] for name in ("first", "second", "third") if options.get(name)]
    if chosen:
        services.set_tie_breaks(found, chosen)
    breaks = ", then ".join(label.split(" (")[0].lower() for label in found.tie_break_labels()) or "none"
    return Reply(
        content=f"Season {bold(found.name)}: level on points, {breaks}; still level, a shared place. "
        f"Name it in /results post to count an event's results in it."
    )


@command("results checkin", allowed=organiser)
def use_check_in(interaction: Interaction) -> Reply:
    enabled = interaction.options.get("enabled", True)
    event_id = interaction.options["event"]
    checkin.use_check_in(interaction.guild_id, event_id, enabled=enabled, by_id=interaction.actor.id)
    event = services.event_in(interaction.guild_id, event_id)
    if not enabled:
        return Reply(content=f"Check-in is off for {bold(event.title)}; check-ins made are kept.")
    opens, closes = checkin.window(event)
    return Reply(
        content=f"Check-in is on for {bold(event.title)}: members going see a Check in button on its post "
        f"from <t:{int(opens.timestamp())}:f> to <t:{int(closes.timestamp())}:f>."
    )


@component(messages.CHECK_IN)
def check_in(interaction: Interaction, event_id: int) -> Reply:
    made = checkin.check_in(interaction.guild_id, event_id, interaction.actor.id, now=timezone.now())
    return Reply(content=messages.checked_in_text(made.event))
