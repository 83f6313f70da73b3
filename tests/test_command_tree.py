"""The command tree, declared per app, holds no two commands with the same path."""

from collections import Counter

from core.interactions.declare import groups, walk
from core.interactions.routing import routes


def test_no_two_commands_collide():
    declared = groups()
    paths = [path for group in declared for path, _ in walk(group)]

    assert [name for name, n in Counter(g.name for g in declared).items() if n > 1] == []
    assert [path for path, n in Counter(paths).items() if n > 1] == []
    assert {"muster ping", "event create", "poll create"} <= set(paths)


def test_every_command_handler_answers_a_declared_command():
    declared = {path for group in groups() for path, _ in walk(group)}

    assert [route.name for route in routes("command") if route.name not in declared] == []


def test_every_declared_command_has_a_handler_or_opens_a_form():
    handled = {route.name for route in routes("command")}
    forms = {"event create", "poll create"}  # answered in the gateway with a form; the form has the handler
    declared = {path for group in groups() for path, _ in walk(group)}

    assert sorted(declared - handled) == sorted(forms)
    assert {route.name for route in routes("modal")} == {"event:create", "poll:create"}
