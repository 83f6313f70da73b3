"""The sandbox's member command line: what it sends and how it reads answers."""

import json

import pytest

from sandbox.discord import member

MODAL = {
    "custom_id": "event:create",
    "title": "New event",
    "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "title", "label": "Title", "required": True}]},
        {"type": 1, "components": [{"type": 4, "custom_id": "where", "label": "Location", "required": False}]},
    ],
}


def test_it_types_options_as_discord_would_receive_them():
    assert member.parse_options(["capacity:20", "anonymous:true", "title:Picnic: the sequel"]) == {
        "capacity": 20,
        "anonymous": True,
        "title": "Picnic: the sequel",
    }


def test_it_refuses_an_option_without_a_value():
    with pytest.raises(member.Usage, match="option 'capacity' is not name:value"):
        member.parse_options(["capacity"])


def test_it_fills_a_form_by_field_id_or_label():
    assert member.fill_modal(MODAL, {"title": "Picnic", "location": "Park"}) == {"title": "Picnic", "where": "Park"}


def test_it_names_the_fields_a_form_still_needs():
    with pytest.raises(member.Usage, match=r"the form 'New event' needs --field for: Title"):
        member.fill_modal(MODAL, {"location": "Park"})


def test_it_names_a_field_the_form_does_not_have():
    with pytest.raises(member.Usage, match=r"the form has no field 'colour'; its fields are: Title, Location"):
        member.fill_modal(MODAL, {"title": "x", "colour": "red"})


def test_it_shows_mentions_by_name_and_buttons_by_label():
    message = {
        "content": "Going: <@42>",
        "flags": 64,
        "embeds": [{"title": "Picnic", "fields": [{"name": "Where", "value": "Park"}]}],
        "components": [{"type": 1, "components": [{"type": 2, "label": "Going", "custom_id": "event:going:1"}]}],
    }
    assert member.render(message, {"alice": "42"}).splitlines() == [
        "(only you can see this)",
        "Going: @alice",
        "== Picnic ==",
        "Where: Park",
        "[Going]",
    ]


def test_it_says_in_one_line_when_muster_is_not_running(tmp_path, capsys):
    assert member.main(["--state", str(tmp_path / "none.json"), "/muster", "ping"]) == 2
    assert (
        capsys.readouterr().err
        == f"member: {tmp_path / 'none.json'} not found: start Muster in sandbox mode with `make run` first\n"
    )


def test_it_refuses_an_unknown_member(tmp_path, capsys):
    state = tmp_path / "sandbox.json"
    state.write_text(json.dumps({"url": "http://127.0.0.1:9", "channel_id": "1", "members": {"alice": "2"}}))
    assert member.main(["--state", str(state), "--as", "bob", "/muster", "ping"]) == 2
    assert capsys.readouterr().err == "member: no demo member 'bob'; choose one of alice\n"
