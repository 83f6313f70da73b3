"""The dispatcher's routing: custom_id templates parse into the handler's arguments, a
malformed or foreign id does nothing, a redact check that fails redacts."""

import logging

import pytest

from core.errors import RuleError
from core.interactions import CustomId, Reply, component, dispatcher, routing
from tests.cast import handle

pytestmark = pytest.mark.django_db

SECRET = "11122233344"
EXPLODE = CustomId("testing:explode:{poll_id:int}")
ECHO = CustomId("testing:echo:{number:int}:{word}")


def explode(interaction, poll_id: int) -> bool:
    raise ValueError(f"no poll {SECRET}")


@component(EXPLODE, redact=explode)
def exploding(interaction, poll_id: int):
    raise RuleError("Refused.")


@component(ECHO)
def echo(interaction, number: int, word: str) -> Reply:
    return Reply(content=f"{word} {number + 1}")


def test_a_custom_id_reaches_its_handler_as_typed_arguments(cast):
    reply = handle(cast.interaction(cast.member, kind="component", custom_id="testing:echo:41:answer"))
    assert reply.content == "answer 42"


@pytest.mark.parametrize(
    "custom_id", ["testing:echo:x:answer", "testing:echo:1", "testing:echo:1:a:b", "testing:nope:1"]
)
def test_a_malformed_or_unknown_id_no_longer_does_anything(cast, custom_id):
    outcome, reply, error, reference = dispatcher.run(
        cast.interaction(cast.member, kind="component", custom_id=custom_id)
    )
    assert (outcome, reply, error, reference) == (
        "unknown",
        {"type": "private", "message": {"content": "This no longer does anything."}},
        "",
        "",
    )


def test_a_rule_error_is_a_private_refusal(cast):
    outcome, reply, _, _ = dispatcher.run(
        cast.interaction(cast.member, kind="component", custom_id="testing:explode:7")
    )
    assert (outcome, reply["message"]["content"]) == ("refused", "Refused.")


def test_a_failing_redact_check_redacts_and_logs_its_type_only(cast, caplog):
    broken = cast.interaction(cast.member, kind="component", custom_id="testing:explode:7")
    with caplog.at_level(logging.WARNING):
        assert routing.find(broken).redacts(broken) is True
    assert "component 'testing:explode': the redact check raised ValueError; redacting" in caplog.text
    assert SECRET not in caplog.text
