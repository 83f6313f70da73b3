"""The command tree, declared per domain, holds no two commands with the same path."""

from collections import Counter

from discord_gateway import commands
from discord_gateway.routing import routes


def test_no_two_commands_collide():
    groups = commands.groups()
    paths = [path for group in groups for path, _ in commands.walk(group)]

    assert [name for name, n in Counter(g.name for g in groups).items() if n > 1] == []
    assert [path for path, n in Counter(paths).items() if n > 1] == []
    assert "muster ping" in paths


def test_every_command_handler_answers_a_declared_command():
    declared = {path for group in commands.groups() for path, _ in commands.walk(group)}

    assert [route.name for route in routes("command") if route.name not in declared] == []


def test_component_modals_are_declared_once():
    assert all(prefix.count(":") == 1 for prefix in commands.component_modals())
