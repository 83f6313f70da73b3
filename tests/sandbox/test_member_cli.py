"""The sandbox's member command line: what it sends and how it reads answers."""

import json
import threading
import time

import httpx
import pytest

from sandbox.discord import member

from .conftest import BOT_TOKEN

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
        "content": "Going: <@42> in <#7>",
        "flags": 64,
        "embeds": [{"title": "Picnic", "fields": [{"name": "Where", "value": "Park"}]}],
        "components": [{"type": 1, "components": [{"type": 2, "label": "Going", "custom_id": "event:going:1"}]}],
    }
    assert member.render(message, {"alice": "42"}, {"general": "7"}).splitlines() == [
        "(only you can see this)",
        "Going: @alice in #general",
        "== Picnic ==",
        "Where: Park",
        "[Going]",
    ]


def test_it_shows_timestamps_as_the_client_does_in_utc():
    start = 1796234400  # 2026-12-02 18:00 UTC
    assert member.render({"content": f"When: <t:{start}:F> <t:{start}:t> <t:{start}>"}) == (
        "When: Wednesday, 2 December 2026 18:00 UTC 18:00 UTC 2 December 2026 18:00 UTC"
    )
    assert member.timestamp(start, "R", now=start - 3 * 3600) == "in 3 hours"
    assert member.timestamp(start, "R", now=start + 86400) == "1 day ago"


def test_it_says_in_one_line_when_muster_is_not_running(tmp_path, capsys):
    assert member.main(["--state", str(tmp_path / "none.json"), "/muster", "ping"]) == 2
    assert (
        capsys.readouterr().err
        == f"member: {tmp_path / 'none.json'} not found: start Muster in sandbox mode with `make run` first\n"
    )


COMMANDS = [
    {
        "name": "event",
        "description": "Events",
        "options": [
            {
                "type": 1,
                "name": "remove",
                "description": "Remove a member",
                "options": [
                    {"type": 6, "name": "member", "description": "Who", "required": True},
                    {"type": 7, "name": "channel", "description": "Where"},
                    {"type": 3, "name": "note", "description": "Why"},
                ],
            }
        ],
    }
]


def buttons(*labels: str) -> list[dict]:
    items = [{"type": 2, "style": 1, "label": label, "custom_id": f"b:{label}"} for label in labels]
    return [{"type": 1, "components": items}]


class Demo:
    """The demo guild of `make run` (olivia, alice) plus bob, added through the control API."""

    def __init__(self, sandbox, tmp_path) -> None:
        self.sandbox = sandbox
        self.control = ctl = sandbox.control
        guild = ctl.create_guild("Muster sandbox", channels=["general", "events"])
        self.guild_id, self.channel_id = guild["id"], guild["channels"][0]["id"]
        self.events_id = guild["channels"][1]["id"]
        self.olivia = ctl.add_member(guild["id"], username="olivia")["user"]["id"]
        self.alice = ctl.add_member(guild["id"], username="alice")["user"]["id"]
        self.bob = ctl.add_member(guild["id"], username="bob")["user"]["id"]
        self.bot = httpx.Client(base_url=sandbox.api, headers={"Authorization": f"Bot {BOT_TOKEN}"})
        self.app_id = self.bot.get("/applications/@me").json()["id"]
        self.bot.put(f"/applications/{self.app_id}/guilds/{self.guild_id}/commands", json=COMMANDS)
        self.state = tmp_path / "sandbox.json"
        members = {"olivia": self.olivia, "alice": self.alice}
        self.state.write_text(
            json.dumps(
                {"url": sandbox.url, "guild_id": self.guild_id, "channel_id": self.channel_id, "members": members}
            )
        )

    def run(self, capsys, *words: str, timeout: float = 5.0) -> tuple[int, str, str]:
        code = member.main(["--state", str(self.state), "--timeout", str(timeout), *words])
        out = capsys.readouterr()
        return code, out.out, out.err

    def post(self, content: str, components: list[dict]) -> str:
        answer = self.bot.post(
            f"/channels/{self.channel_id}/messages", json={"content": content, "components": components}
        )
        return answer.json()["id"]

    def private_answer(self, user_id: str, content: str, components: list[dict]) -> str:
        """A private reply to a command of ``user_id`` (what `/event show` leaves in the channel)."""
        opened = self.control.inject_command(
            "event", subcommand="remove", options={"member": self.alice}, channel_id=self.channel_id, user_id=user_id
        )
        body = {"type": 4, "data": {"content": content, "components": components, "flags": 64}}
        self.bot.post(f"/interactions/{opened['id']}/{opened['token']}/callback", json=body)
        return self.control.interaction(opened["id"])["original"]["id"]

    def interactions(self) -> list:
        """What the sandbox received, oldest first (its own records, read in-process)."""
        return sorted(self.sandbox.state.interactions.values(), key=lambda ix: ix.id)

    def answer_next(self, *steps) -> threading.Thread:
        """Play the bot for the next interaction: each step is (delay_s, method, path tail, body)."""
        seen = len(self.interactions())

        def play():
            deadline = time.monotonic() + 5
            while len(self.interactions()) == seen and time.monotonic() < deadline:
                time.sleep(0.02)
            ix = self.interactions()[-1]
            for delay, method, tail, body in steps:
                time.sleep(delay)
                if tail == "callback":
                    url = f"/interactions/{ix.id}/{ix.token}/callback"
                elif tail == "followup":
                    url = f"/webhooks/{self.app_id}/{ix.token}"
                elif tail == "original":  # an Update: the answer edits the clicked message
                    url = f"/webhooks/{self.app_id}/{ix.token}/messages/@original"
                else:  # redraw the clicked message, as Muster's refresh does
                    url = f"/channels/{self.channel_id}/messages/{ix.message_id}"
                self.bot.request(method, url, json=body)

        thread = threading.Thread(target=play, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def demo(discord_sandbox, tmp_path):
    return Demo(discord_sandbox, tmp_path)


def test_it_acts_as_a_member_added_through_the_control_api_and_resolves_mentions(demo, capsys):
    code, _, err = demo.run(capsys, "--as", "bob", "/event", "remove", "member:@alice", "channel:#events", timeout=0.3)
    assert (code, err) == (1, "no answer within 0 s (is the worker running?)\n")
    sent = demo.interactions()[-1]
    assert sent.user_id == int(demo.bob)
    options = sent.data["options"][0]["options"]
    assert options == [
        {"name": "member", "type": 6, "value": demo.alice},
        {"name": "channel", "type": 7, "value": demo.events_id},
    ]
    assert set(sent.data["resolved"]) == {"users", "members", "channels"}
    assert sent.data["resolved"]["users"][demo.alice]["username"] == "alice"
    assert sent.data["resolved"]["channels"][demo.events_id]["name"] == "events"


def test_it_leaves_an_at_sign_in_a_text_option_as_typed(demo, capsys):
    demo.run(capsys, "/event", "remove", "member:@alice", "note:@bob", timeout=0.3)
    assert demo.interactions()[-1].data["options"][0]["options"][1] == {"name": "note", "type": 3, "value": "@bob"}


def test_it_names_the_members_when_a_mention_is_unknown(demo, capsys):
    assert demo.run(capsys, "/event", "remove", "member:@carol") == (
        2,
        "",
        "member: option member: the guild has no member '@carol';"
        " it has @muster-sandbox-owner, @olivia, @alice, @bob\n",
    )


def test_it_refuses_someone_who_is_not_in_the_guild(demo, capsys):
    assert demo.run(capsys, "--as", "carol", "/muster", "ping") == (
        2,
        "",
        "member: no member 'carol' in the sandbox guild; choose one of muster-sandbox-owner, olivia, alice, bob\n",
    )


def test_a_click_prints_the_private_answer_and_the_redrawn_post(demo, capsys):
    post = demo.post("Picnic: nobody yet", buttons("Going", "Can't go"))
    demo.answer_next(
        (0.0, "POST", "callback", {"type": 6}),
        (0.5, "POST", "followup", {"content": "You're going.", "flags": 64}),
        (0.8, "PATCH", "redraw", {"content": f"Picnic: Going <@{demo.alice}>"}),
    )
    code, out, err = demo.run(capsys, "--as", "alice", "click", "going")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f'clicked [Going] on the post "Picnic: nobody yet" in #general (message {post})',
        "Picnic: Going @alice",
        "[Going]",
        "[Can't go]",
        "",
        "(only you can see this)",
        "You're going.",
    ]


def test_an_exact_label_wins_and_only_what_the_member_sees_is_clicked(demo, capsys):
    older = demo.post("Lunch?", buttons("A", "Withdraw my vote"))
    demo.post("Other poll", buttons("1. A", "Withdraw my vote"))
    theirs = demo.private_answer(demo.olivia, "olivia's private view", buttons("A"))
    _, out, _ = demo.run(capsys, "--as", "alice", "click", "A", timeout=0.3)
    assert out.splitlines()[0] == f'clicked [A] on the post "Lunch?" in #general (message {older})'
    assert demo.interactions()[-1].message_id == int(older)
    mine = demo.private_answer(demo.alice, "alice's private view", buttons("A"))
    demo.run(capsys, "--as", "alice", "click", "A", timeout=0.3)
    assert demo.interactions()[-1].message_id == int(mine)
    demo.run(capsys, "--as", "olivia", "click", "A", timeout=0.3)
    assert demo.interactions()[-1].message_id == int(theirs)


def test_several_partial_matches_on_one_message_are_refused(demo, capsys):
    demo.post("Lunch?", buttons("Vote A", "Vote B"))
    assert demo.run(capsys, "click", "vote") == (
        2,
        "",
        "member: several buttons on one message match 'vote': 'Vote A', 'Vote B'; type one in full\n",
    )


def test_choose_picks_entries_of_a_menu(demo, capsys):
    options = [{"label": f"{i}. {name}", "value": str(i)} for i, name in enumerate(["Pizza", "Sushi", "Tacos"], 1)]
    menu = [{"type": 1, "components": [{"type": 3, "custom_id": "poll:1", "max_values": 2, "options": options}]}]
    post = demo.post("Lunch?", menu)
    _, out, _ = demo.run(capsys, "choose", "pizza", "3. Tacos", timeout=0.3)
    assert (
        out.splitlines()[0] == f'chose 1. Pizza, 3. Tacos in the menu on the post "Lunch?" in #general (message {post})'
    )
    assert demo.interactions()[-1].data["values"] == ["1", "3"]
    assert demo.run(capsys, "choose", "Ramen") == (2, "", "member: no menu you can see offers 'ramen'\n")


def test_messages_shows_the_last_public_posts_however_many_private_ones_follow(demo, capsys):
    for n in range(3):
        demo.post(f"post {n}", [])
    for n in range(12):
        demo.private_answer(demo.alice, f"private {n}", [])
    code, out, _ = demo.run(capsys, "--last", "2", "messages")
    assert (code, out) == (0, "post 1\n\npost 2\n\n")


def test_add_member_adds_someone_the_tool_can_then_act_as(demo, capsys):
    role = demo.control.create_role(demo.guild_id, "Organisers", permissions=1 << 33)
    assert demo.run(capsys, "add-member", "ines", "organisers") == (
        0,
        "ines joined Muster sandbox with Organisers; act as them with --as ines\n",
        "",
    )
    demo.run(capsys, "--as", "ines", "/event", "remove", "member:@bob", timeout=0.3)
    sent = demo.interactions()[-1]
    assert demo.sandbox.state.guilds[int(demo.guild_id)].members[sent.user_id].roles == [int(role["id"])]
    assert demo.run(capsys, "add-member", "ines") == (
        2,
        "",
        "member: 'ines' is already a member of the sandbox guild\n",
    )
    assert demo.run(capsys, "add-member", "jo", "Admins") == (
        2,
        "",
        "member: the guild has no role 'Admins'; it has Muster, Organisers\n",
    )


def test_click_finds_the_newest_post_in_any_channel_of_the_guild(demo, capsys):
    demo.post("Picnic", buttons("Going"))
    elsewhere = demo.bot.post(
        f"/channels/{demo.events_id}/messages", json={"content": "Hike", "components": buttons("Going")}
    ).json()["id"]
    _, out, _ = demo.run(capsys, "click", "Going", timeout=0.3)
    assert out.splitlines()[0] == f'clicked [Going] on the post "Hike" in #events (message {elsewhere})'


def test_a_reply_that_comes_after_the_redraw_is_still_printed(demo, capsys):
    demo.post("Picnic: nobody yet", buttons("Going"))
    demo.answer_next(
        (0.0, "POST", "callback", {"type": 6}),
        (0.3, "PATCH", "redraw", {"content": "Picnic: Going 1"}),
        (0.5, "POST", "followup", {"content": "You're going.", "flags": 64}),
    )
    code, out, _ = demo.run(capsys, "click", "Going")
    assert (code, out.splitlines()[1:]) == (
        0,
        ["Picnic: Going 1", "[Going]", "", "(only you can see this)", "You're going."],
    )


def test_a_click_answered_by_an_update_prints_the_updated_message(demo, capsys):
    demo.post("Page 1", buttons("Next"))
    demo.answer_next(
        (0.0, "POST", "callback", {"type": 6}),
        (0.2, "PATCH", "original", {"content": "Page 2", "components": buttons("Back")}),
    )
    code, out, _ = demo.run(capsys, "click", "Next")
    assert (code, out.splitlines()[1:]) == (0, ["Page 2", "[Back]"])
