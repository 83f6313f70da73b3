"""The command tree, declared per app, holds no two commands with the same path."""

from collections import Counter

from discord import app_commands

from core.interactions.declare import OPENS, top_level, walk
from core.interactions.routing import routes


def test_no_two_commands_collide():
    declared = top_level()
    paths = [path for entry in declared for path, _ in walk(entry)]

    assert [name for name, n in Counter(entry.name for entry in declared).items() if n > 1] == []
    assert [path for path, n in Counter(paths).items() if n > 1] == []
    assert {"muster ping", "event create", "poll create", "standings"} <= set(paths)


def test_every_command_handler_answers_a_declared_command():
    declared = {path for entry in top_level() for path, _ in walk(entry)}

    assert [route.name for route in routes("command") if route.name not in declared] == []


def test_every_declared_command_has_a_handler_or_opens_a_form():
    handled = {route.name for route in routes("command")}
    forms = {route.name for route in routes("modal")}
    declared = {path: cmd for entry in top_level() for path, cmd in walk(entry)}
    opening = {path: cmd.extras[OPENS] for path, cmd in declared.items() if OPENS in cmd.extras}

    # Answered in the gateway with a form, declared with @opens(FORM); the form has the handler.
    assert (
        sorted(set(declared) - handled)
        == sorted(opening)
        == [
            "custom create",
            "custom edit",
            "event create",
            "poll create",
            "poll dates",
            "results post",
            "schedule create",
            "schedule edit",
        ]
    )
    # /event create opens the series form instead when it is given repeat (the same layout, one more part),
    # and the expecting forms when it names who is expected to answer (events.nudges; two more parts).
    # An approver's Decline button opens leave's reason form (a ClickForm), and a standup's
    # answer form is opened by the prompt's button (a ClickForm): no command does.
    assert (
        forms - {"event:series", "event:expecting", "event:expecting_series", "leave:declined", "standup:answer"}
        == set(opening.values())
        == {
            "custom:save",
            "event:create",
            "poll:create",
            "poll:dates",
            "results:post",
            "schedule:create",
            "schedule:edit",
        }
    )


def test_no_top_level_command_is_hidden_by_discord_since_each_mixes_member_and_organiser_commands():
    # default_member_permissions applies to a whole top-level command only (Discord ignores it on
    # subcommands), and /event and /poll each hold commands every member uses.
    assert {entry.name: entry.default_permissions for entry in top_level()} == {
        "muster": None,
        "event": None,
        "poll": None,
        "ride": None,
        "room": None,
        "export": None,
        "custom": None,
        "schedule": None,
        "jira": None,
        "standup": None,
        "task": None,
        "leave": None,
        "results": None,
        "team": None,
        "timeline": None,
        "standings": None,
    }


def test_standings_is_a_command_of_its_own_with_its_season_autocompleted():
    entries = {entry.name: entry for entry in top_level()}
    standings = entries["standings"]

    assert isinstance(standings, app_commands.Command)
    assert list(walk(standings)) == [("standings", standings)]
    assert "results standings" not in {path for path, _ in walk(entries["results"])}
    assert (standings.guild_only, [(p.name, p.required, p.autocomplete is not None) for p in standings.parameters]) == (
        True,
        [("season", False, True)],
    )
