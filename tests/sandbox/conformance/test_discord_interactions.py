"""Interaction callbacks and the interaction webhook, against discord/discord-api-spec:
``POST /interactions/{id}/{token}/callback`` (200 ``InteractionCallbackResponse`` or 204)
and ``/webhooks/{application_id}/{token}[/messages/@original|{message_id}]``
(``MessageResponse``, 204, errors as ``ErrorResponse``).
"""

from __future__ import annotations

import httpx
import pytest

from sandbox.discord.control import ControlError

from .conftest import BUTTONS, COMMANDS
from .schemas import discord_api as S
from .validate import answer

pytestmark = pytest.mark.timeout(30)
MODAL = {
    "custom_id": "event:create",
    "title": "New event",
    "components": [{"type": 1, "components": [{"type": 4, "custom_id": "title", "label": "Title", "style": 1}]}],
}


@pytest.fixture
def ix(world):
    """Inject interactions into the world (commands registered) and answer them raw."""
    world.bot.put(f"/applications/{world.app_id}/guilds/{world.guild_id}/commands", json=COMMANDS)
    return Interactions(world)


class Interactions:
    def __init__(self, world) -> None:
        self.world = world
        self.http = world.anon

    def command(self) -> dict:
        return self.world.control.inject_command(
            "event", subcommand="create", channel_id=self.world.channel_id, user_id=self.world.alice
        )

    def click(self, message_id: str, custom_id: str = "event:going:1") -> dict:
        return self.world.control.inject_component(message_id=message_id, custom_id=custom_id, user_id=self.world.alice)

    def callback(self, interaction: dict, body: dict, *, with_response: bool = True) -> httpx.Response:
        params = {"with_response": "true"} if with_response else None
        url = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
        return self.http.post(url, params=params, json=body)

    def webhook(self, interaction: dict, tail: str = "") -> str:
        return f"/webhooks/{self.world.app_id}/{interaction['token']}{tail}"


def test_callback_answers_describe_only_messages_as_resources(ix, world):
    answered = answer(ix.callback(ix.command(), {"type": 4, "data": {"content": "hi"}}), 200, S.INTERACTION_CALLBACK)
    assert answered["resource"]["type"] == 4
    assert answered["interaction"]["response_message_id"] == answered["resource"]["message"]["id"]

    deferred = answer(ix.callback(ix.command(), {"type": 5}), 200, S.INTERACTION_CALLBACK)
    assert "resource" not in deferred
    assert deferred["interaction"]["response_message_loading"] is True

    modal = answer(ix.callback(ix.command(), {"type": 9, "data": MODAL}), 200, S.INTERACTION_CALLBACK)
    assert "resource" not in modal

    post = world.bot.post(f"/channels/{world.channel_id}/messages", json={"content": "x", "components": [BUTTONS]})
    message_id = post.json()["id"]
    update = {"type": 7, "data": {"content": "updated", "components": [BUTTONS]}}
    updated = answer(ix.callback(ix.click(message_id), update), 200, S.INTERACTION_CALLBACK)
    assert (updated["resource"]["type"], updated["resource"]["message"]["id"]) == (7, message_id)
    assert "resource" not in answer(ix.callback(ix.click(message_id), {"type": 6}), 200, S.INTERACTION_CALLBACK)

    typed = world.control.inject_autocomplete(
        "event",
        subcommand="create",
        channel_id=world.channel_id,
        user_id=world.alice,
        focused="title",
        options={"title": "Pi"},
    )
    choices = {"type": 8, "data": {"choices": [{"name": "Picnic", "value": "Picnic"}]}}
    assert "resource" not in answer(ix.callback(typed, choices), 200, S.INTERACTION_CALLBACK)
    answer(ix.callback(ix.command(), {"type": 4, "data": {"content": "plain"}}, with_response=False), 204, None)


def test_callback_errors(ix):
    first = ix.command()
    ix.callback(first, {"type": 5})
    again = answer(ix.callback(first, {"type": 5}), 400, S.ERROR)
    assert again == {"message": "Interaction has already been acknowledged.", "code": 40060}
    wrong = answer(ix.callback(ix.command(), {"type": 6}), 400, S.ERROR)
    assert wrong["errors"]["type"]["_errors"][0]["code"] == "INTERACTION_RESPONSE_TYPE_INVALID"
    empty = answer(ix.callback(ix.command(), {"type": 4, "data": {}}), 400, S.ERROR)
    assert empty["code"] == 50006
    unknown = answer(ix.http.post("/interactions/1/nope/callback", json={"type": 5}), 404, S.ERROR)
    assert unknown == {"message": "Unknown interaction", "code": 10062}


def test_follow_ups_and_the_original_response(ix, world):
    command = ix.command()
    early = answer(ix.http.post(ix.webhook(command), params={"wait": "true"}, json={"content": "x"}), 404, S.ERROR)
    assert early["code"] == 10015
    ix.callback(command, {"type": 5})
    filled = answer(
        ix.http.post(ix.webhook(command), params={"wait": "true"}, json={"content": "done"}), 200, S.MESSAGE
    )
    assert filled["interaction_metadata"]["type"] == 2
    followup = answer(
        ix.http.post(ix.webhook(command), params={"wait": "true"}, json={"content": "more", "components": [BUTTONS]}),
        200,
        S.MESSAGE,
    )
    assert followup["interaction_metadata"]["original_response_message_id"] == filled["id"]
    answer(ix.http.post(ix.webhook(command), json={"content": "no wait"}), 204, None)
    answer(ix.http.get(ix.webhook(command, "/messages/@original")), 200, S.MESSAGE)
    answer(ix.http.patch(ix.webhook(command, "/messages/@original"), json={"content": "again"}), 200, S.MESSAGE)
    own = ix.webhook(command, f"/messages/{followup['id']}")
    answer(ix.http.get(own), 200, S.MESSAGE)
    answer(ix.http.patch(own, json={"content": "changed"}), 200, S.MESSAGE)
    answer(ix.http.delete(own), 204, None)
    assert answer(ix.http.get(own), 404, S.ERROR)["code"] == 10008
    answer(ix.http.delete(ix.webhook(command, "/messages/@original")), 204, None)

    world.control.configure(token_ttl_s=0)
    expired = answer(ix.http.post(ix.webhook(command), json={"content": "late"}), 401, S.ERROR)
    assert expired == {"message": "Invalid Webhook Token", "code": 50027}


def test_follow_ups_name_the_component_and_the_modal_that_caused_them(ix, world):
    post = world.bot.post(f"/channels/{world.channel_id}/messages", json={"content": "x", "components": [BUTTONS]})
    click = ix.click(post.json()["id"])
    ix.callback(click, {"type": 9, "data": MODAL})
    submit = world.control.inject_modal_submit(
        channel_id=world.channel_id, user_id=world.alice, custom_id="event:create", fields={"title": "Picnic"}
    )
    ix.callback(submit, {"type": 5, "data": {"flags": 64}})
    filled = answer(ix.http.post(ix.webhook(submit), params={"wait": "true"}, json={"content": "ok"}), 200, S.MESSAGE)
    metadata = filled["interaction_metadata"]
    assert (metadata["type"], metadata["triggering_interaction_metadata"]["id"]) == (5, click["id"])
    assert metadata["triggering_interaction_metadata"]["interacted_message_id"] == post.json()["id"]

    second = ix.click(post.json()["id"])
    ix.callback(second, {"type": 6})
    followup = answer(
        ix.http.post(ix.webhook(second), params={"wait": "true"}, json={"content": "thanks", "flags": 64}),
        200,
        S.MESSAGE,
    )
    assert followup["interaction_metadata"]["interacted_message_id"] == post.json()["id"]


def test_only_a_modal_the_bot_opened_can_be_submitted_even_under_a_forged_custom_id(ix, world):
    def submit(**forged):
        return world.control.inject_modal_submit(
            channel_id=world.channel_id,
            user_id=world.alice,
            custom_id="event:create:9",
            fields={"title": "x"},
            **forged,
        )

    for forged in ({}, {"forged": True}):
        with pytest.raises(ControlError, match=r"^400: no modal 'event:create:9' was opened for user \d+$"):
            submit(**forged)
    post = world.bot.post(f"/channels/{world.channel_id}/messages", json={"content": "x", "components": [BUTTONS]})
    click = ix.click(post.json()["id"])
    ix.callback(click, {"type": 9, "data": MODAL})
    with pytest.raises(ControlError, match=r"^400: no modal 'event:create:9' was opened"):
        submit()
    forged = submit(forged=True)
    ix.callback(forged, {"type": 5, "data": {"flags": 64}})
    filled = answer(ix.http.post(ix.webhook(forged), params={"wait": "true"}, json={"content": "ok"}), 200, S.MESSAGE)
    assert filled["interaction_metadata"]["triggering_interaction_metadata"]["id"] == click["id"]
