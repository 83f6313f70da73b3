"""custom_id templates: one declaration builds the id and parses it back."""

import pytest

from core.interactions import CustomId


def test_an_id_built_from_a_template_parses_back_to_its_typed_parts():
    form = CustomId("event:create:{capacity:int}:{channel_id:int}:{reminders}:{deadline:rest}")
    built = form.build(capacity=25, channel_id=0, reminders="1d,1h", deadline="2026-06-01 12:00")
    assert built == "event:create:25:0:1d,1h:2026-06-01 12:00"
    assert form.parse(built) == {"capacity": 25, "channel_id": 0, "reminders": "1d,1h", "deadline": "2026-06-01 12:00"}
    assert form.prefix == "event:create"


@pytest.mark.parametrize(
    "custom_id", ["poll:vote:1", "poll:vote:1:x", "poll:vote:1:2:3", "poll:vote::2", "poll:votes:1:2"]
)
def test_a_malformed_or_foreign_id_parses_to_nothing(custom_id):
    assert CustomId("poll:vote:{poll_id:int}:{option_id:int}").parse(custom_id) is None


def test_an_id_without_parts_is_its_prefix():
    ping = CustomId("muster:ping")
    assert (ping.build(), ping.parse("muster:ping"), ping.parse("muster:ping:1")) == ("muster:ping", {}, None)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"poll_id": -1}, r"^poll_id must be a non-negative integer, not -1$"),
        ({"poll_id": "7"}, r"^poll_id must be a non-negative integer, not '7'$"),
        ({}, r"^'poll:withdraw:\{poll_id:int\}' takes \['poll_id'\], got \[\]$"),
    ],
)
def test_building_refuses_parts_the_template_cannot_carry(parts, message):
    with pytest.raises(ValueError, match=message):
        CustomId("poll:withdraw:{poll_id:int}").build(**parts)


def test_building_refuses_text_with_a_colon_and_ids_over_discords_limit():
    with pytest.raises(ValueError, match=r"^name may not contain ':' \('a:b'\)$"):
        CustomId("x:y:{name}").build(name="a:b")
    with pytest.raises(ValueError, match=r"^custom_id longer than 100 characters: "):
        CustomId("x:y:{rest:rest}").build(rest="r" * 100)


def test_a_template_must_start_with_a_domain_and_an_action():
    with pytest.raises(ValueError, match=r"^custom_id template 'ping' must start '<domain>:<action>'$"):
        CustomId("ping")
