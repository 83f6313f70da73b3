"""Slash commands through the real discord.py: sync, inject, answer, read back."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands

from sandbox.discord.control import ControlError

from .conftest import SandboxClient, run_async, run_until_ready, stop

pytestmark = pytest.mark.timeout(30)


def build_client() -> SandboxClient:
    client = SandboxClient()
    seen: dict[str, object] = {}
    client.seen = seen

    @client.tree.command(name="ping", description="Answer at once")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @client.tree.command(name="slow", description="Defer, then edit the original response")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.05)
        await interaction.edit_original_response(content="done after a while")

    poll = app_commands.Group(name="poll", description="Polls")
    admin = app_commands.Group(name="admin", description="Poll administration", parent=poll)

    @admin.command(name="close", description="Close a poll")
    async def close(interaction: discord.Interaction, poll_id: int, reason: str, notify: bool = False) -> None:
        seen["close"] = (interaction.command.qualified_name, poll_id, reason, notify)
        seen["permissions"] = interaction.permissions.value
        seen["roles"] = [r.name for r in interaction.user.roles]
        await interaction.response.send_message(f"closed {poll_id}", ephemeral=True)

    client.tree.add_command(poll)
    return client


def test_it_syncs_commands_and_answers_injected_slash_commands(discord_sandbox):
    run_async(slash_commands_scenario(discord_sandbox))


async def slash_commands_scenario(discord_sandbox):
    ctl = discord_sandbox.actl
    guild = await ctl.create_guild("Muster HQ")
    channel_id = guild["channels"][0]["id"]
    role = await ctl.create_role(guild["id"], "Organisers", permissions=1 << 5)
    member = await ctl.add_member(guild["id"], username="alice", roles=[role["id"]])
    alice = member["user"]["id"]

    client = build_client()
    task = await run_until_ready(client)
    try:
        synced = await client.tree.sync()
        assert sorted(c.name for c in synced) == ["ping", "poll", "slow"]
        registered = await ctl.commands()
        assert sorted(c["name"] for c in registered["global"]) == ["ping", "poll", "slow"]

        ping = await ctl.inject_command("ping", channel_id=channel_id, user_id=alice)
        answered = await ctl.wait_for_response(ping["id"], timeout=5)
        assert answered["response"]["type"] == 4
        assert answered["response"]["elapsed_s"] < 3
        assert answered["original"]["content"] == "pong"

        slow = await ctl.inject_command("slow", channel_id=channel_id, user_id=alice)
        edited = await ctl.wait_for_original_edit(slow["id"], timeout=5)
        assert edited["response"]["type"] == 5
        assert edited["original"]["content"] == "done after a while"
        assert edited["original"]["flags"] & 128 == 0  # no longer "thinking"
        assert [v["content"] for v in edited["original"]["history"]] == [""]

        close = await ctl.inject_command(
            "poll",
            channel_id=channel_id,
            user_id=alice,
            subcommand="admin close",
            options={"poll_id": 42, "reason": "done", "notify": True},
        )
        closed = await ctl.wait_for_response(close["id"], timeout=5)
        assert closed["original"]["content"] == "closed 42"
        assert closed["original"]["ephemeral"] is True
        assert client.seen["close"] == ("poll admin close", 42, "done", True)
        assert client.seen["permissions"] & (1 << 5)  # the role's Manage Guild, as computed
        assert client.seen["roles"] == ["@everyone", "Organisers"]

        # Option values typed as text are converted as Discord's client would; nonsense is refused.
        typed = await ctl.inject_command(
            "poll",
            channel_id=channel_id,
            user_id=alice,
            subcommand="admin close",
            options={"poll_id": "43", "reason": "typed", "notify": "false"},
        )
        await ctl.wait_for_response(typed["id"], timeout=5)
        assert client.seen["close"] == ("poll admin close", 43, "typed", False)
        for bad, expected in (
            ({"poll_id": "forty"}, "option 'poll_id' expects an integer, got 'forty'"),
            ({"poll_id": 1, "notify": "maybe"}, "option 'notify' expects a boolean, got 'maybe'"),
        ):
            with pytest.raises(ControlError) as refused:
                options = {"reason": "x", **bad}
                await ctl.inject_command(
                    "poll", channel_id=channel_id, user_id=alice, subcommand="admin close", options=options
                )
            assert str(refused.value) == f"400: {expected}"

        contents = [m["content"] for m in await ctl.messages(channel_id)]
        assert contents == ["pong", "done after a while", "closed 42", "closed 43"]
    finally:
        await stop(client, task)


def test_it_delivers_buttons_selects_modals_and_autocomplete(discord_sandbox):
    run_async(components_scenario(discord_sandbox))


async def components_scenario(discord_sandbox):
    ctl = discord_sandbox.actl
    guild = await ctl.create_guild("Muster HQ")
    channel_id = guild["channels"][0]["id"]
    alice = (await ctl.add_member(guild["id"], username="alice"))["user"]["id"]
    client = SandboxClient()
    got: dict[str, object] = {}

    class Survey(discord.ui.Modal, title="Survey"):
        answer = discord.ui.TextInput(label="Answer", custom_id="survey:answer")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            got["modal"] = self.answer.value
            await interaction.response.send_message("thanks", ephemeral=True)

    @client.tree.command(name="pick", description="Choose a colour")
    async def pick(interaction: discord.Interaction, colour: str) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(discord.ui.Button(label="Go", custom_id="pick:go"))
        view.add_item(discord.ui.Select(custom_id="pick:size", options=[discord.SelectOption(label=s) for s in "SML"]))
        await interaction.response.send_message(f"colour {colour}", view=view)

    @pick.autocomplete("colour")
    async def colours(interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=c, value=c) for c in ("red", "green", "grey") if c.startswith(current)]

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        if interaction.data["custom_id"] == "pick:go":
            await interaction.response.send_modal(Survey(custom_id="survey"))
        else:
            got["select"] = interaction.data["values"]
            await interaction.response.edit_message(content="size chosen", view=None)

    task = await run_until_ready(client)
    try:
        await client.tree.sync()
        typed = await ctl.inject_autocomplete(
            "pick", channel_id=channel_id, user_id=alice, focused="colour", options={"colour": "gr"}
        )
        result = await ctl.wait_for_response(typed["id"])
        assert result["response"]["type"] == 8
        assert result["response"]["data"]["choices"] == [
            {"name": "green", "value": "green"},
            {"name": "grey", "value": "grey"},
        ]

        command = await ctl.inject_command("pick", channel_id=channel_id, user_id=alice, options={"colour": "red"})
        message_id = (await ctl.wait_for_response(command["id"]))["original"]["id"]

        click = await ctl.inject_component(message_id=message_id, custom_id="pick:go", user_id=alice)
        modal = await ctl.wait_for_response(click["id"])
        assert modal["response"]["type"] == 9
        assert modal["response"]["data"]["custom_id"] == "survey"

        submit = await ctl.inject_modal_submit(
            channel_id=channel_id, user_id=alice, custom_id="survey", fields={"survey:answer": "yes"}
        )
        assert (await ctl.wait_for_response(submit["id"]))["original"]["content"] == "thanks"
        assert got["modal"] == "yes"

        choose = await ctl.inject_component(message_id=message_id, custom_id="pick:size", user_id=alice, values=["M"])
        updated = await ctl.wait_for_response(choose["id"])
        assert updated["response"]["type"] == 7
        assert got["select"] == ["M"]
        message = await ctl.message(message_id)
        assert (message["content"], message["components"]) == ("size chosen", [])
        assert message["history"][0]["content"] == "colour red"
    finally:
        await stop(client, task)
