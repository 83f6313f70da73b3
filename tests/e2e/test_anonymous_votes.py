"""Anonymous polls end to end: no trace linking a member and their choice, whatever the outcome.

Votes by button and by select menu go through a real gateway and worker; one option makes
the database raise an error that names it, and the poll is closed before the last clicks.
Then the command log, the admin pages and both processes' output are searched for the
options (ids and labels).
"""

from __future__ import annotations

import re

import httpx
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.models import CommandLog, Guild
from polls import services
from tests.e2e.conftest import BOT_TOKEN
from tests.e2e.test_polls_flow import click, posted
from tests.factories import SuperuserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

FIRST_OPTION_ID = 98_765_432_101  # ids that cannot be mistaken for anything else in a page or a log
LABELS = ["Quokka", "Narwhal", "Axolotl"]
COUNTED = "Your vote is counted. This poll is anonymous: nobody can see what you chose."


@pytest.fixture
def distinctive_option_ids():
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('polls_option', 'id'), %s, false)", [FIRST_OPTION_ID])


@pytest.fixture
def failing_option():
    """Make the database refuse votes for one option with an error that names the option and voter."""
    target: list[int] = []

    def fail_on(option_id: int) -> None:
        target.append(option_id)
        with connection.cursor() as cursor:
            cursor.execute(f"""
                CREATE FUNCTION test_vote_fails() RETURNS trigger AS $$ BEGIN
                    IF NEW.option_id = {int(option_id)} THEN
                        RAISE EXCEPTION 'vote for option % by voter %', NEW.option_id, NEW.voter;
                    END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER test_vote_fails BEFORE INSERT ON polls_vote
                    FOR EACH ROW EXECUTE FUNCTION test_vote_fails();
            """)

    yield fail_on
    if target:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS test_vote_fails ON polls_vote; DROP FUNCTION test_vote_fails()")


def test_an_anonymous_vote_leaves_no_trace_of_the_choice_by_button_or_select_for_any_outcome(
    discord, world, muster_worker, gateway, client, distinctive_option_ids, failing_option
):
    # Given an anonymous poll whose third option the database refuses with an error naming it
    added = {name: discord.control.add_member(world.guild_id, username=name) for name in ("bob", "carol", "dave")}
    members = {name: int(member["user"]["id"]) for name, member in added.items()}
    guild = Guild.objects.get_or_create(id=world.guild_id, defaults={"name": "Muster HQ"})[0]
    draft = services.PollDraft("Secret?", LABELS, anonymous=True)
    poll = services.create_poll(guild, draft, now=timezone.now(), channel_id=world.channel_id)
    quokka, narwhal, axolotl = poll.options.order_by("position").values_list("id", flat=True)
    assert quokka == FIRST_OPTION_ID
    failing_option(axolotl)
    post = posted(discord, world.channel_id, "Secret?")
    # Anonymous polls are posted with buttons; a menu (an older post, a crafted client) is handled all the same.
    choices = [quokka, narwhal, axolotl]
    options = [{"label": label, "value": str(option_id)} for label, option_id in zip(LABELS, choices, strict=True)]
    select = {"type": 3, "custom_id": f"poll:select:{poll.id}", "options": options}
    row = {"type": 1, "components": [select]}
    menu = post_as_bot(discord, world.channel_id, {"content": "Secret? (menu)", "components": [row]})

    def vote(member, option_id):
        return click(discord, post["id"], f"poll:vote:{poll.id}:{option_id}", members[member])

    def select(member, option_id):
        return click(discord, menu["id"], f"poll:select:{poll.id}", members[member], values=[str(option_id)])

    # When members vote by button and by select: counted, failing, and after the poll closed
    assert vote("bob", quokka) == COUNTED
    assert select("carol", narwhal) == COUNTED
    assert vote("bob", axolotl).startswith("Something went wrong on Muster's side.")
    assert select("carol", axolotl).startswith("Something went wrong on Muster's side.")
    assert services.close_poll(poll.id, now=timezone.now())
    assert vote("dave", narwhal) == "This poll is closed."
    assert select("dave", quokka) == "This poll is closed."

    # Then the command log has each outcome and no choice
    # (rows of a redacted interaction keep only the hour, so they are compared in outcome order)
    outcomes = {"ok": 0, "error": 1, "refused": 2}
    entries = sorted(
        CommandLog.objects.filter(command__startswith="poll:"), key=lambda e: (outcomes[e.outcome], e.command)
    )
    assert [(e.command, e.outcome) for e in entries] == [
        ("poll:select", "ok"),
        ("poll:vote", "ok"),
        ("poll:select", "error"),
        ("poll:vote", "error"),
        ("poll:select", "refused"),
        ("poll:vote", "refused"),
    ]
    assert [e.member_id for e in entries] == [None] * 6  # nobody, so no member next to a moment or a choice
    assert all(e.received_at.minute == e.received_at.second == 0 for e in entries)
    assert all(e.options == {"redacted": True} for e in entries)
    assert entries[2].error == entries[3].error == "ProgrammingError (details withheld: redacted interaction)"
    for entry in entries:
        logged = " ".join(map(str, (entry.options, entry.reply, entry.error, entry.command)))
        assert not mentions_a_choice(logged, choices)

    # and the admin shows no choice next to a member, nor a member next to a choice
    client.force_login(SuperuserFactory())
    log_pages = [reverse("admin:core_commandlog_changelist")]
    log_pages += [reverse("admin:core_commandlog_change", args=[e.pk]) for e in entries]
    for url in log_pages:
        page = client.get(url).content.decode()
        assert "poll:" in page, url
        assert not mentions_a_choice(page, choices), url
    for url in (reverse("admin:polls_poll_changelist"), reverse("admin:polls_poll_change", args=[poll.pk])):
        page = client.get(url).content.decode()
        assert "Secret?" in page, url
        assert not any(re.search(rf"\b{member_id}\b", page) for member_id in members.values()), url
        assert not any(name in page for name in members), url

    # and neither process printed a choice, though the worker logged the errors with their references
    worker_output, gateway_output = muster_worker.output(), gateway.output()
    for entry in entries[2:4]:
        assert f"failed, reference {entry.reference}" in worker_output
    assert "RaiseException: <details withheld>" in worker_output  # the database's error, message left out
    assert "Task core.interactions.tasks.handle_interaction" in worker_output
    assert not mentions_a_choice(worker_output, choices)
    assert not mentions_a_choice(gateway_output, choices)


def post_as_bot(discord, channel_id: int, message: dict) -> dict:
    url = f"{discord.url}/api/v10/channels/{channel_id}/messages"
    response = httpx.post(url, json=message, headers={"Authorization": f"Bot {BOT_TOKEN}"})
    response.raise_for_status()
    return response.json()


def mentions_a_choice(text: str, option_ids: list[int]) -> bool:
    by_id = any(re.search(rf"\b{option_id}\b", text) for option_id in option_ids)
    return by_id or any(label in text for label in LABELS)
