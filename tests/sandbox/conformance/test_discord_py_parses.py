"""discord.py, unmodified, reads the answers the conformance tests validate: its fetchers
parse guilds (with counts), channels, members, roles, users, the application, and messages
with numbered components, embed types and interaction metadata.
"""

from __future__ import annotations

import discord
import pytest

from ..conftest import SandboxClient, run_async, run_until_ready, stop
from .conftest import BUTTONS, EMBED, SELECT

pytestmark = pytest.mark.timeout(30)


def test_discord_py_fetches_and_parses_every_object(world):
    async def scenario():
        client = SandboxClient()
        task = await run_until_ready(client)
        try:
            guild = await client.fetch_guild(int(world.guild_id))
            channel = await client.fetch_channel(int(world.channel_id))
            sent = await channel.send("hi", embed=discord.Embed.from_dict(EMBED), view=view())
            message = await channel.fetch_message(sent.id)
            member = await guild.fetch_member(int(world.alice))
            roles = await guild.fetch_roles()
            channels = await guild.fetch_channels()
            app = await client.application_info()
            dm = await (await client.fetch_user(int(world.alice))).create_dm()
            return guild, message, member, roles, channels, app, dm
        finally:
            await stop(client, task)

    guild, message, member, roles, channels, app, dm = run_async(scenario())
    assert (guild.name, guild.approximate_member_count, guild.approximate_presence_count) == ("Muster HQ", 4, 0)
    assert [type(c).__name__ for c in message.components] == ["ActionRow", "ActionRow"]
    assert [c.id for c in message.components[0].children] == [2, 3]
    assert (message.components[1].children[0].min_values, message.embeds[0].type) == (1, "rich")
    assert message.embeds[0].fields[0].inline is False
    assert (member.name, [r.name for r in member.roles][1:]) == ("alice", ["Organisers"])
    assert "Organisers" in [r.name for r in roles]
    assert sorted(c.name for c in channels) == ["events", "general"]
    assert (app.id, app.approximate_user_install_count) == (int(world.app_id), 0)
    assert dm.recipient.name == "alice"


def view() -> discord.ui.View:
    """BUTTONS and SELECT, as discord.py components."""
    items = discord.ui.View()
    for spec in BUTTONS["components"]:
        items.add_item(
            discord.ui.Button(
                **({"url": spec["url"]} if "url" in spec else {"custom_id": spec["custom_id"]}), label=spec["label"]
            )
        )
    select = SELECT["components"][0]
    options = [discord.SelectOption(label=o["label"], value=o["value"]) for o in select["options"]]
    items.add_item(discord.ui.Select(custom_id=select["custom_id"], options=options, row=1))
    return items


def test_discord_py_reads_a_voice_channel(world):
    # discord.py's VoiceChannel reads bitrate and user_limit as required (a gateway CHANNEL_CREATE too).
    world.bot.post(f"/guilds/{world.guild_id}/channels", json={"name": "Team Red", "type": 2})

    async def scenario():
        client = SandboxClient()
        task = await run_until_ready(client)
        try:
            guild = await client.fetch_guild(int(world.guild_id))
            return [c for c in await guild.fetch_channels() if c.name == "Team Red"]
        finally:
            await stop(client, task)

    [voice] = run_async(scenario())
    assert (type(voice).__name__, voice.bitrate, voice.user_limit, voice.rtc_region) == ("VoiceChannel", 64000, 0, None)
