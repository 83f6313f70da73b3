"""Votes in anonymous polls are redacted by the dispatcher: decided before the log row, whatever the outcome."""

import base64
import json
import logging

import pytest
from celery.app.task import Context

from core.interactions import Actor, Interaction, dispatcher, routing, signing
from core.interactions.tasks import handle_interaction
from core.models import CommandLog
from tests.factories import MemberFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

MARKER = "98765432109"  # a select value that names nothing else


def click(poll, member, *, id: int, custom_id: str, values=()) -> Interaction:
    return Interaction(
        id=id,
        token="t",
        application_id=1,
        kind="component",
        guild_id=poll.guild_id,
        actor=Actor(id=member.id, username=member.username),
        custom_id=custom_id,
        values=tuple(values),
    )


def select(poll, member, values) -> Interaction:
    return click(poll, member, id=4242, custom_id=f"poll:select:{poll.id}", values=values)


def vote(poll, member) -> Interaction:
    return click(poll, member, id=4243, custom_id=f"poll:vote:{poll.id}:1")


def redacted(interaction: Interaction) -> bool:
    return routing.find(interaction).redacts(interaction)


def test_choices_in_anonymous_polls_are_redacted_and_in_open_polls_are_not():
    anonymous, public, member = PollFactory(anonymous=True), PollFactory(), MemberFactory()
    assert redacted(vote(anonymous, member)) and redacted(select(anonymous, member, ["1"]))
    assert not redacted(vote(public, member)) and not redacted(select(public, member, ["1"]))


def test_a_malformed_vote_id_is_redacted_and_does_nothing():
    member = MemberFactory()
    broken = Interaction(
        id=1,
        token="t",
        application_id=1,
        kind="component",
        actor=Actor(member.id, "m"),
        custom_id=f"poll:vote:{MARKER}x:1",
    )
    assert routing.find(broken).redacts(broken) is True
    outcome, reply, error, _ = dispatcher.run(broken, redacted=True)
    assert (outcome, reply["message"]["content"], error) == ("unknown", "This no longer does anything.", "")


def test_the_log_row_of_a_redacted_interaction_never_holds_its_values():
    poll, member = PollFactory(anonymous=True), MemberFactory()
    interaction = select(poll, member, [MARKER])
    dispatcher._count_attempt(interaction, dispatcher.log_id(interaction, redacted=True), redacted=True)
    entry = CommandLog.objects.get()
    assert (entry.options, entry.member_id, entry.received_at.minute, entry.received_at.second) == (
        {"redacted": True},
        None,
        0,
        0,
    )
    assert entry.pk < 0


def test_a_redacted_error_is_recorded_and_logged_by_type_and_stack_only(caplog):
    poll, member = PollFactory(anonymous=True), MemberFactory()
    outcome, reply, error, reference = dispatcher.run(select(poll, member, [MARKER + "x"]), redacted=True)
    assert (outcome, error) == ("error", "ValueError (details withheld: redacted interaction)")
    assert reference in reply["message"]["content"]
    assert f"failed, reference {reference} (redacted)" in caplog.text
    assert "polls/discord/handlers.py" in caplog.text and "ValueError: <details withheld>" in caplog.text
    assert MARKER not in caplog.text


def test_an_error_that_is_not_redacted_keeps_its_message(caplog):
    poll, member = PollFactory(), MemberFactory()
    with caplog.at_level(logging.ERROR):
        _, _, error, _ = dispatcher.run(select(poll, member, [MARKER + "x"]))
    assert MARKER in error and MARKER in caplog.text


def test_the_broker_message_shows_the_interaction_by_id_and_route_only(flush_redis):
    payload = {
        "id": 4242,
        "kind": "component",
        "custom_id": "poll:select:7",
        "values": [MARKER],
        "member": {"id": 1234},
        "token": "secret-token",
    }
    handle_interaction.apply_async((signing.sign(payload),))
    message = json.loads(flush_redis.lindex("interactions", 0))
    assert message["headers"]["argsrepr"] == "(<interaction 4242 component poll:select>,)"
    assert message["headers"]["kwargsrepr"] == "{}"
    # argsrepr is what the worker's log lines, task events and so Flower show of the task
    assert MARKER in base64.b64decode(message["body"]).decode()  # the worker still gets the payload


def test_a_retried_interaction_is_shown_by_id_and_route_only(flush_redis):
    payload = signing.sign({"id": 4243, "kind": "component", "custom_id": "poll:vote:7:8", "member": {"id": 1234}})
    request = Context(id="first-try", args=(payload,), kwargs={}, delivery_info={"routing_key": "interactions"})
    handle_interaction.signature_from_request(request).apply_async()  # what Task.retry sends
    message = json.loads(flush_redis.lindex("interactions", 0))
    assert message["headers"]["argsrepr"] == "(<interaction 4243 component poll:vote>,)"
