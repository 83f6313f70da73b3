"""How events and polls look in Discord, within Discord's limits whatever their size."""

from datetime import timedelta

import pytest

from core.discord_api.limits import check_message
from events.models import Registration
from events.render import Roster, event_message, mention_list
from polls.render import bar, poll_message, result_message
from polls.services import Tally
from tests.events.factories import NOW, EventFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


def test_an_event_shows_times_as_discord_timestamps_and_the_three_buttons():
    event = EventFactory(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2), capacity=10)
    roster = Roster(counts={Status.GOING: 2}, names={Status.GOING: [11, 12]})
    message = event_message(event, roster, now=NOW)
    embed = message["embeds"][0]
    start, end = int(event.starts_at.timestamp()), int(event.ends_at.timestamp())
    assert embed["fields"][0] == {
        "name": "When", "value": f"<t:{start}:F> (<t:{start}:R>)\nuntil <t:{end}:F>", "inline": False,
    }  # fmt: skip
    assert embed["fields"][1] == {"name": "Going (2/10)", "value": "<@11>, <@12>", "inline": False}
    assert [b["custom_id"] for b in message["components"][0]["components"]] == [
        f"event:going:{event.id}", f"event:maybe:{event.id}", f"event:declined:{event.id}",
    ]  # fmt: skip
    assert message["allowed_mentions"] == {"parse": []}
    check_message(message)


def test_a_huge_roster_stays_within_the_embed_limits_and_says_how_many_more():
    event = EventFactory(title="T" * 100, description="D" * 2000, location="L" * 200, capacity=5000)
    ids = list(range(10**17, 10**17 + 40))
    roster = Roster(
        counts={Status.GOING: 5000, Status.WAITLISTED: 900, Status.MAYBE: 300},
        names={Status.GOING: ids, Status.WAITLISTED: ids, Status.MAYBE: ids},
    )
    message = event_message(event, roster, now=NOW)
    check_message(message)
    going = message["embeds"][0]["fields"][2]["value"]
    shown = going.count("<@")
    assert going.endswith(f" +{5000 - shown} more")
    assert len(going) <= 1024


def test_a_mention_list_fits_exactly_or_shows_the_rest():
    assert mention_list([], 0) == "—"
    assert mention_list([1, 2], 2) == "<@1>, <@2>"
    assert mention_list([1, 2], 5) == "<@1>, <@2> +3 more"
    assert mention_list([111, 222, 333], 3, limit=22) == "<@111>, <@222>, <@333>"
    assert mention_list([111, 222, 333], 3, limit=21) == "<@111> +2 more"


def test_a_cancelled_or_started_event_has_no_buttons():
    assert event_message(EventFactory(status="cancelled"), Roster(), now=NOW)["components"] == []
    assert event_message(EventFactory(starts_at=NOW), Roster(), now=NOW)["components"] == []


def tallies(*votes):
    return [Tally(option_id=100 + n, position=n + 1, label=f"Option {n + 1}", votes=v) for n, v in enumerate(votes)]


def test_a_poll_shows_bars_and_a_button_per_option_up_to_five():
    poll = PollFactory()
    message = poll_message(poll, tallies(3, 1))
    check_message(message)
    assert message["embeds"][0]["description"].startswith(
        "**1. Option 1**\n`████████████░░░░` 3 · 75%\n**2. Option 2**\n`████░░░░░░░░░░░░` 1 · 25%"
    )
    assert [b["custom_id"] for b in message["components"][0]["components"]] == [
        f"poll:vote:{poll.id}:100", f"poll:vote:{poll.id}:101",
    ]  # fmt: skip
    assert message["components"][1]["components"][0]["custom_id"] == f"poll:withdraw:{poll.id}"


def test_a_poll_beyond_five_options_gets_a_select():
    poll = PollFactory(multiple_choice=True)
    message = poll_message(poll, tallies(*range(10)))
    check_message(message)
    select = message["components"][0]["components"][0]
    assert (select["type"], select["custom_id"], select["max_values"], len(select["options"])) == (
        3, f"poll:select:{poll.id}", 10, 10,
    )  # fmt: skip


def test_an_anonymous_poll_beyond_five_options_keeps_buttons_and_never_names_voters():
    poll = PollFactory(anonymous=True)
    message = poll_message(poll, tallies(*range(8)), voters={1: [42]})
    check_message(message)
    assert [len(row["components"]) for row in message["components"]] == [5, 3, 1]
    assert "fields" not in message["embeds"][0]
    assert "<@" not in str(message)


def test_an_open_poll_lists_its_voters_within_limits():
    poll = PollFactory()
    many = list(range(10**17, 10**17 + 20))
    message = poll_message(poll, tallies(*([500] * 10)), voters={p: many for p in range(1, 11)})
    check_message(message)
    assert message["embeds"][0]["fields"][0]["value"].endswith(" more")


def test_a_closed_poll_has_no_buttons_and_its_result_names_the_winner_or_the_tie():
    poll = PollFactory(status="closed")
    assert poll_message(poll, tallies(1, 2))["components"] == []
    assert result_message(poll, tallies(1, 2))["content"].endswith("Result: **Option 2** with 2 votes.")
    assert result_message(poll, tallies(2, 2))["content"].endswith("Tie at 2 votes: **Option 1**, **Option 2**.")
    assert result_message(poll, tallies(0, 0))["content"].endswith("No votes were cast.")


def test_bars_are_empty_without_votes():
    assert bar(0, 0) == "░" * 16
