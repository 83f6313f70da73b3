"""Every option of /event and /poll, and every input of their forms, has Discord-side bounds."""

import pytest
from discord import AppCommandOptionType

from core.interactions.declare import walk
from events.discord import commands as event_commands
from polls.discord import commands as poll_commands

BOUNDED = (AppCommandOptionType.string, AppCommandOptionType.integer, AppCommandOptionType.number)


def unbounded(group) -> list[str]:
    """``"path option"`` for each text or number option without both a minimum and a maximum
    (an option with choices is bounded by them: Discord accepts nothing else)."""
    missing = []
    for path, command in walk(group):
        for parameter in command.parameters:
            if parameter.choices:
                continue
            if parameter.type in BOUNDED and (parameter.min_value is None or parameter.max_value is None):
                missing.append(f"{path} {parameter.name}")
    return missing


@pytest.mark.parametrize("module", [event_commands, poll_commands], ids=["event", "poll"])
def test_every_text_and_number_option_has_a_minimum_and_a_maximum(module):
    assert unbounded(module.group) == []


@pytest.mark.parametrize("module", [event_commands, poll_commands], ids=["event", "poll"])
def test_every_form_input_has_a_maximum_length(module):
    assert [field.custom_id for field in module.CREATE_FIELDS if field.max_length is None] == []


def test_the_edit_options_hold_what_an_event_holds():
    edit = next(command for path, command in walk(event_commands.group) if path == "event edit")
    bounds = {p.name: (p.min_value, p.max_value) for p in edit.parameters if p.type in BOUNDED and not p.choices}
    assert bounds == {
        "event": (1, 2**53 - 1),
        "title": (1, 100),
        "start": (1, 40),
        "end": (1, 40),
        "location": (1, 200),
        "capacity": (0, 100_000),
        "signup_deadline": (1, 40),
        "reminders": (1, 40),
        "description": (1, 2000),
        "nudges": (1, 20),
        "signup_options": (1, 200),
    }
