"""/results and the Check in button, driven with the interactions a worker receives from the cast."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import RuleError
from core.interactions import dispatcher
from core.models import OutboundMessage
from core.permissions import REFUSAL
from results import checkin
from results.models import CheckIn, ResultSheet
from tests.cast import handle

pytestmark = pytest.mark.django_db


def submitted(cast, who, event, entries: str, season: str = ""):
    fields = {"entries": entries, "season": season}
    return cast.interaction(who, kind="modal", custom_id=f"results:post:{event.id}", fields=fields)


def results_command(cast, who, name: str, **options):
    return cast.interaction(who, command=f"results {name}", options=options)


def standings_command(cast, who, **options):
    return cast.interaction(who, command="standings", options=options)


def test_an_organiser_posts_results_and_posting_again_updates_them(cast, started):
    reply = handle(submitted(cast, cast.organiser, started, "1. Red 10\n2. Blue 8", season="Winter"))
    assert reply.content == (
        f"Posted the results of **Relay** in <#{started.channel_id}> (2 entries, counted in the season **Winter**)."
    )
    reply = handle(submitted(cast, cast.organiser, started, "1. Blue 12"))
    assert reply.content == (
        f"Updated the results of **Relay** in <#{started.channel_id}> (1 entry, counted in the season **Winter**)."
    )
    assert OutboundMessage.objects.filter(channel_id=started.channel_id).count() == 1


def test_a_member_may_not_post_results_and_a_bad_line_is_named(cast, started):
    refused = dispatcher.run(submitted(cast, cast.member, started, "1. Red 10"))
    assert refused[1]["message"]["content"] == REFUSAL
    with pytest.raises(RuleError, match=r'^Line 2 \("Blue"\) does not read as a position'):
        handle(submitted(cast, cast.organiser, started, "1. Red 10\nBlue"))
    assert ResultSheet.objects.count() == 0


def test_show_and_standings_answer_everyone(cast, started):
    none = handle(results_command(cast, cast.member, "show", event=started.id))
    assert none.content == "**Relay** has no results yet."
    with pytest.raises(RuleError, match=r"^No results count towards a season yet: /results post names one\.$"):
        handle(standings_command(cast, cast.member))
    handle(submitted(cast, cast.organiser, started, "1. alice 10 — on time\n2. Blue 8", season="Winter"))
    shown = handle(results_command(cast, cast.member, "show", event=started.id))
    assert shown.embeds[0]["description"] == (
        f"🥇**1.** <@{cast.member.member_id}> · 10 pts — on time\n🥈**2.** Blue · 8 pts"
    )
    assert shown.embeds[0]["footer"] == {"text": "/standings season:Winter"}
    table = handle(standings_command(cast, cast.member, season="winter"))
    assert table.embeds[0]["title"] == "Standings: Winter"
    assert table.embeds[0]["description"] == (
        f"**1.** <@{cast.member.member_id}> · 10 pts (1 event, 1 win)\n**2.** Blue · 8 pts (1 event)"
    )
    assert table.embeds[0]["footer"] == {"text": "Level on points: most wins, then best single result."}
    assert handle(standings_command(cast, cast.member)).embeds == table.embeds
    with pytest.raises(RuleError, match=r"^There is no season named 'Summer' here: /results post names one\.$"):
        handle(standings_command(cast, cast.member, season="Summer"))


def test_an_organiser_turns_check_in_on_and_a_going_member_clicks_once(cast, started):
    refused = dispatcher.run(results_command(cast, cast.member, "checkin", event=started.id))
    assert refused[1]["message"]["content"] == REFUSAL
    reply = handle(results_command(cast, cast.organiser, "checkin", event=started.id))
    opens, closes = checkin.window(started)
    assert reply.content == (
        "Check-in is on for **Relay**: members going see a Check in button on its post from "
        f"<t:{int(opens.timestamp())}:f> to <t:{int(closes.timestamp())}:f>."
    )
    click = cast.interaction(cast.member, kind="component", custom_id=f"results:checkin:{started.id}")
    assert handle(click).content == "You are checked in to **Relay**."
    with pytest.raises(RuleError, match=r"^You already checked in to Relay \(<t:\d+:t>\)\.$"):
        handle(click)
    outsider = cast.interaction(cast.outsider, kind="component", custom_id=f"results:checkin:{started.id}")
    with pytest.raises(RuleError, match=r"^There is no such event in this server\.$"):
        handle(outsider)
    assert list(CheckIn.objects.values_list("member_id", flat=True)) == [cast.member.member_id]
    off = handle(results_command(cast, cast.organiser, "checkin", event=started.id, enabled=False))
    assert off.content == "Check-in is off for **Relay**; check-ins made are kept."


def test_the_event_post_carries_the_button_after_the_start(cast, started):
    from events.discord.messages import event_message

    checkin.use_check_in(cast.guild.id, started.id, enabled=True, by_id=None)
    drawn = event_message(started, started.roster(), now=timezone.now())
    assert [[b["label"] for b in row["components"]] for row in drawn["components"]] == [["Check in"]]
    later = event_message(started, started.roster(), now=timezone.now() + timedelta(hours=3))
    assert later["components"] == []
    assert later["embeds"][0]["footer"]["text"].endswith("Checked in: 0 of 1 going (check-in closed)")


def test_an_organiser_names_a_season_and_picks_its_tie_breaks(cast):
    refused = dispatcher.run(results_command(cast, cast.member, "season", season="Winter"))
    assert refused[1]["message"]["content"] == REFUSAL
    made = handle(results_command(cast, cast.organiser, "season", season="Winter"))
    assert made.content == (
        "Season **Winter**: level on points, most wins, then best single result; still level, a shared place. "
        "Name it in /results post to count an event's results in it."
    )
    picked = handle(results_command(cast, cast.organiser, "season", season="winter", first="h2h", second="wins"))
    assert picked.content.startswith("Season **Winter**: level on points, head-to-head, then most wins;")
    with pytest.raises(RuleError, match=r"^Name each tie-break once\.$"):
        handle(results_command(cast, cast.organiser, "season", season="Winter", first="h2h", second="h2h"))
