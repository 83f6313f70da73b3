"""What Discord's client never sends, the sandbox refuses to inject (application-commands.mdx
"Application Command Option Structure": ``min_value``/``max_value``, ``min_length``/``max_length``,
``choices``; components/reference.mdx "Text Input" ``required``/``min_length``/``max_length`` and
"String Select" ``options``/``min_values``/``max_values``). What it does send validates
against the "Interaction Structure" of the docs.
"""

from __future__ import annotations

import re

import pytest

from sandbox.discord.control import ControlError

from .schemas import discord_gateway as G
from .validate import assert_conforms as check

pytestmark = pytest.mark.timeout(30)
BOUNDED = [
    {
        "name": "event",
        "description": "Events",
        "options": [
            {
                "type": 1,
                "name": "edit",
                "description": "Edit an event",
                "options": [
                    {"type": 4, "name": "capacity", "description": "Places", "min_value": 0, "max_value": 100000},
                    {"type": 10, "name": "hours", "description": "Hours", "min_value": 0.5, "max_value": 24},
                    {"type": 3, "name": "title", "description": "Title", "min_length": 2, "max_length": 10},
                    {
                        "type": 3,
                        "name": "kind",
                        "description": "Kind",
                        "choices": [{"name": "Public", "value": "public"}, {"name": "Private", "value": "private"}],
                    },
                    {"type": 4, "name": "page", "description": "Page", "choices": [{"name": "First", "value": 1}]},
                ],
            }
        ],
    }
]
FORM = {
    "custom_id": "event:create",
    "title": "New event",
    "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "title", "label": "Title", "style": 1, "max_length": 5}]},
        {
            "type": 1,
            "components": [
                {"type": 4, "custom_id": "code", "label": "Code", "style": 1, "min_length": 3, "required": False}
            ],
        },
    ],
}
MENU = {
    "type": 1,
    "components": [
        {
            "type": 3,
            "custom_id": "poll:vote:1",
            "max_values": 2,
            "options": [{"label": "A", "value": "0"}, {"label": "B", "value": "1"}, {"label": "C", "value": "2"}],
        }
    ],
}


@pytest.fixture
def bounded(world):
    world.bot.put(f"/applications/{world.app_id}/guilds/{world.guild_id}/commands", json=BOUNDED)
    return world


def edit(world, **options) -> dict:
    return world.control.inject_command(
        "event", subcommand="edit", options=options, channel_id=world.channel_id, user_id=world.alice
    )


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ({"capacity": 100001}, "option 'capacity' must be at most 100000, got 100001"),
        ({"capacity": -1}, "option 'capacity' must be at least 0, got -1"),
        ({"hours": 0.25}, "option 'hours' must be at least 0.5, got 0.25"),
        ({"title": "x"}, "option 'title' must be at least 2 characters long, got 1"),
        ({"title": "x" * 11}, "option 'title' must be at most 10 characters long, got 11"),
        ({"kind": "secret"}, "option 'kind' must be one of its choices ('public', 'private'), got 'secret'"),
        ({"page": 2}, "option 'page' must be one of its choices (1), got 2"),
    ],
)
def test_an_option_outside_its_declared_bounds_is_not_sent(bounded, options, refusal):
    with pytest.raises(ControlError, match=rf"^400: {re.escape(refusal)}$"):
        edit(bounded, **options)


def test_options_at_their_bounds_are_sent_as_declared(bounded):
    sent = edit(bounded, capacity=100000, hours=24, title="xx", kind="private", page=1)["payload"]
    check(sent, G.INTERACTION)
    assert sent["data"]["options"][0]["options"] == [
        {"name": "capacity", "type": 4, "value": 100000},
        {"name": "hours", "type": 10, "value": 24.0},
        {"name": "title", "type": 3, "value": "xx"},
        {"name": "kind", "type": 3, "value": "private"},
        {"name": "page", "type": 4, "value": 1},
    ]


def open_form(world) -> None:
    opened = edit(world)
    answer = world.anon.post(f"/interactions/{opened['id']}/{opened['token']}/callback", json={"type": 9, "data": FORM})
    assert answer.status_code == 204


def submit(world, **fields) -> dict:
    return world.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=world.alice, custom_id="event:create", fields=fields
    )


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"code": "abc"}, "the input 'Title' (title) is required"),
        ({"title": "toolong"}, "the input 'Title' (title) takes at most 5 characters, got 7"),
        ({"title": "ok", "code": "ab"}, "the input 'Code' (code) needs at least 3 characters, got 2"),
        ({"title": "ok", "colour": "red"}, "the modal 'event:create' has no input 'colour'"),
    ],
)
def test_a_form_discord_would_not_submit_is_refused(bounded, fields, refusal):
    open_form(bounded)
    with pytest.raises(ControlError, match=rf"^400: {re.escape(refusal)}$"):
        submit(bounded, **fields)


def test_a_submitted_form_carries_every_input_empty_optional_ones_as_empty_strings(bounded):
    open_form(bounded)
    sent = submit(bounded, title="Party")["payload"]
    check(sent, G.INTERACTION)
    inputs = [row["components"][0] for row in sent["data"]["components"]]
    assert [(i["custom_id"], i["value"]) for i in inputs] == [("title", "Party"), ("code", "")]


def post_menu(world) -> str:
    answer = world.bot.post(f"/channels/{world.channel_id}/messages", json={"content": "Lunch?", "components": [MENU]})
    assert answer.status_code == 200
    return answer.json()["id"]


@pytest.mark.parametrize(
    ("values", "refusal"),
    [
        (["3"], "the menu 'poll:vote:1' has no option '3'"),
        ([], "the menu 'poll:vote:1' takes 1 to 2 values, got 0"),
        (["0", "1", "2"], "the menu 'poll:vote:1' takes 1 to 2 values, got 3"),
    ],
)
def test_a_choice_the_menu_does_not_offer_is_refused(bounded, values, refusal):
    message_id = post_menu(bounded)
    with pytest.raises(ControlError, match=rf"^400: {re.escape(refusal)}$"):
        bounded.control.inject_component(
            message_id=message_id, custom_id="poll:vote:1", user_id=bounded.alice, values=values
        )


def test_a_choice_among_the_options_is_sent(bounded):
    message_id = post_menu(bounded)
    sent = bounded.control.inject_component(
        message_id=message_id, custom_id="poll:vote:1", user_id=bounded.alice, values=["0", "2"]
    )["payload"]
    check(sent, G.INTERACTION)
    assert sent["data"]["values"] == ["0", "2"]
