"""/event calendar and its buttons: a link is shown once, a new one revokes the old, and
only organisers make the server's."""

import re

import pytest

from core.interactions import Reply, Update, dispatcher
from core.permissions import REFUSAL
from events import calendars
from events.discord.handlers import SERVERS_EXISTS, SERVERS_NONE, YOURS_EXISTS
from events.models import CalendarFeed
from tests.cast import handle

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://127\.0\.0\.1:8000/calendar/([A-Za-z0-9_-]{43})\.ics")


def calendar(cast, who):
    return handle(cast.interaction(who, command="event calendar"))


def click(cast, who, custom_id: str):
    return handle(cast.interaction(who, kind="component", custom_id=custom_id))


def tokens(text: str) -> list[str]:
    return LINK.findall(text)


def buttons(reply) -> list[tuple[str, str]]:
    return [(b["label"], b["custom_id"]) for r in reply.components for b in r["components"]]


def test_a_member_gets_their_link_once_and_then_a_button_for_a_new_one(cast):
    first = calendar(cast, cast.member)
    assert isinstance(first, Reply) and (first.ephemeral, first.secret) == (True, True)
    [token] = tokens(first.content)
    assert calendars.find(token).member_id == cast.member.member_id
    assert (first.components, "shown only this once" in first.content) == ([], True)

    second = calendar(cast, cast.member)

    assert (second.content, second.secret) == (YOURS_EXISTS, False)
    assert buttons(second) == [("New link", "event:new_calendar")]
    assert calendars.find(token) is not None  # asking again revokes nothing


def test_the_new_link_button_replaces_the_link_and_the_old_one_stops_working(cast):
    [old] = tokens(calendar(cast, cast.member).content)

    update = click(cast, cast.member, "event:new_calendar")

    assert isinstance(update, Update) and (update.components, update.secret) == ([], True)
    [new] = tokens(update.content)
    assert update.content.endswith(" The old link no longer works: subscribe to this one instead.")
    assert (calendars.find(old), calendars.find(new).member_id) == (None, cast.member.member_id)
    assert CalendarFeed.objects.filter(member_id=cast.member.member_id).count() == 2


def test_an_organiser_also_makes_and_renews_the_servers_link(cast):
    first = calendar(cast, cast.organiser)
    assert first.content.endswith("\n\n" + SERVERS_NONE)
    assert buttons(first) == [("Make server link", "event:new_server_calendar")]
    assert not calendars.has_link(guild_id=cast.guild.id)

    made = click(cast, cast.organiser, "event:new_server_calendar")
    [server] = tokens(made.content)
    assert calendars.find(server).guild_id == cast.guild.id
    assert "The old link" not in made.content

    again = calendar(cast, cast.organiser)
    assert again.content == YOURS_EXISTS + "\n\n" + SERVERS_EXISTS
    assert buttons(again) == [("New link", "event:new_calendar"), ("New server link", "event:new_server_calendar")]
    renewed = click(cast, cast.organiser, "event:new_server_calendar")
    assert calendars.find(server) is None and len(tokens(renewed.content)) == 1


def test_a_member_sees_nothing_of_the_servers_link_and_may_not_make_one(cast):
    reply = calendar(cast, cast.member)
    assert (SERVERS_NONE in reply.content, buttons(reply)) == (False, [])

    _, stored, _, _ = dispatcher.run(
        cast.interaction(cast.member, kind="component", custom_id="event:new_server_calendar")
    )

    assert stored["message"]["content"] == REFUSAL
    assert not calendars.has_link(guild_id=cast.guild.id)


def test_the_stored_answer_says_it_holds_a_secret(cast):
    _, stored, _, _ = dispatcher.run(cast.interaction(cast.member, command="event calendar"))
    assert stored["secret"] is True and len(tokens(stored["message"]["content"])) == 1
    _, stored, _, _ = dispatcher.run(cast.interaction(cast.member, command="event calendar"))
    assert "secret" not in stored
