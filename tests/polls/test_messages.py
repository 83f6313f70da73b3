"""How polls look in Discord, within Discord's limits whatever their size."""

import pytest

from core.discord_api.limits import check_message
from polls.discord.messages import bar, poll_message, result_message
from polls.models import Tally
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def tallies(*votes):
    return [Tally(option_id=100 + n, position=n + 1, label=f"Option {n + 1}", votes=v) for n, v in enumerate(votes)]


def test_a_poll_shows_bars_and_a_button_per_option_up_to_five():
    poll = PollFactory()
    message = poll_message(poll, tallies(3, 1))
    check_message(message)
    assert message["embeds"][0]["description"].startswith(
        "**1. Option 1**\n`████████████░░░░` 3 · 75%\n**2. Option 2**\n`████░░░░░░░░░░░░` 1 · 25%"
    )
    buttons = [b["custom_id"] for b in message["components"][0]["components"]]
    assert buttons == [f"poll:vote:{poll.id}:100", f"poll:vote:{poll.id}:101"]
    assert message["components"][1]["components"][0]["custom_id"] == f"poll:withdraw:{poll.id}"


def test_a_poll_beyond_five_options_gets_a_select():
    poll = PollFactory(multiple_choice=True)
    message = poll_message(poll, tallies(*range(10)))
    check_message(message)
    select = message["components"][0]["components"][0]
    shape = (select["type"], select["custom_id"], select["max_values"], len(select["options"]))
    assert shape == (3, f"poll:select:{poll.id}", 10, 10)


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


def test_markdown_in_the_question_and_the_option_labels_is_shown_as_typed():
    poll = PollFactory(question="**Where** [x](https://evil.example)?")
    labels = [Tally(option_id=100, position=1, label="__Park__", votes=1)]
    embed = poll_message(poll, labels, voters={1: [42]})["embeds"][0]
    assert embed["title"] == r"\*\*Where\*\* \[x\](https://evil.example)?"
    assert embed["fields"][0]["name"] == r"1. \_\_Park\_\_"


def test_a_poll_with_buttons_says_click_again_and_one_with_a_menu_does_not():
    with_buttons = poll_message(PollFactory(), tallies(0, 0))["embeds"][0]["description"]
    with_menu = poll_message(PollFactory(), tallies(*range(6)))["embeds"][0]["description"]
    assert with_buttons.endswith("\n\nClick to vote; click again to withdraw.")
    assert with_menu.endswith("\n\nChoose from the menu; *Withdraw my vote* takes your vote back.")
