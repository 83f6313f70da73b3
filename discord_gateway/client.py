"""The gateway's discord.py client: the command tree, component routing, directory events.

It keeps no state of its own: every interaction is answered and handed to a worker
(``discord_gateway.forwarding``), every guild or member change becomes a task. The
command groups and top-level commands come from every installed app's ``discord/commands.py``
(``core.interactions.declare``), whose callbacks call back into this client's ``forward``
and ``open_form``.
"""

from __future__ import annotations

import logging
import time

import discord
from asgiref.sync import sync_to_async
from discord import app_commands
from django.db import close_old_connections

from core import permissions
from core.interactions import declare
from core.interactions.drafts import RETRY
from discord_gateway import forwarding, modals
from discord_gateway.publish import deliver

log = logging.getLogger("discord_gateway")

# README.md, "Setting up the Discord application", says why each permission is needed.
BOT_PERMISSIONS = permissions.BOT_PERMISSIONS


def not_about_voice(record: logging.LogRecord) -> bool:
    """A filter for discord.client: it warns at every start that voice libraries are missing; Muster has no voice."""
    return not record.getMessage().endswith("voice will NOT be supported")


def intents() -> discord.Intents:
    """The fewest that serve: guilds (joins, leaves, roles) and members (the privileged one)."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.members = True
    return chosen


def invite_url(application_id: int) -> str:
    return (
        f"https://discord.com/oauth2/authorize?client_id={application_id}"
        f"&permissions={BOT_PERMISSIONS}&scope=bot%20applications.commands"
    )


class MusterTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Before each command or autocomplete: recycle a dead or expired database connection.

        The gateway reads the database only through the async ORM (``may_open``,
        autocomplete), which runs in one thread; without a request cycle nothing would ever
        close its connection, so after a PostgreSQL restart every read would fail until the
        gateway restarted. This runs in that same thread (CONN_HEALTH_CHECKS then checks the
        connection before its next use).
        """
        await sync_to_async(close_old_connections)()
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """A slash command the tree does not know (a guild's custom ``/<name>``) goes to the apps first."""
        if (
            isinstance(error, app_commands.CommandNotFound)
            and interaction.type == discord.InteractionType.application_command
            and await declare.answer_unknown_command(interaction)
        ):
            return
        await super().on_error(interaction, error)


def build_tree(client: discord.Client, tree_class: type[MusterTree] = MusterTree) -> app_commands.CommandTree:
    tree = tree_class(client)
    for entry in declare.top_level():
        tree.add_command(entry)
    return tree


_last_stamp_ns = 0


def event_stamp() -> int:
    """Nanoseconds since the epoch, strictly increasing in this process.

    Taken on the event loop as each event arrives, it orders a guild's events for the
    directory, whose tasks workers run in any order.
    """
    global _last_stamp_ns
    _last_stamp_ns = max(time.time_ns(), _last_stamp_ns + 1)
    return _last_stamp_ns


# No member waits for a directory task, and seen_ns orders it whenever it runs: rather than
# withdraw it after a few seconds in a burst of joins, let it wait for the publisher.
DIRECTORY_DEADLINE_S = 120.0


async def enqueue(task, *args, **kwargs) -> None:
    """Publish a directory task through the publisher thread; a failure is logged, never raised."""
    await deliver(task, args, kwargs, what=task.name, within=DIRECTORY_DEADLINE_S)


def _member_data(member: discord.Member) -> dict:
    return {
        "id": member.id,
        "username": member.name,
        "display_name": member.global_name or "",
        "nick": member.nick or "",
        "roles": [role.id for role in member.roles if not role.is_default()],
    }


FORWARDED = (discord.InteractionType.component, discord.InteractionType.modal_submit)


class InteractionAnswers:
    """How an interaction is answered, whichever way it arrived (the gateway, or the HTTP endpoint).

    The command callbacks call ``forward`` and ``open_form`` (``core.interactions.declare``);
    buttons, selects and modals go to ``on_interaction``.
    """

    async def forward(self, interaction: discord.Interaction, *, ephemeral: bool) -> None:
        await forwarding.forward(interaction, ephemeral=ephemeral)

    async def open_form(self, interaction: discord.Interaction, form: declare.Form) -> None:
        await modals.open_form(interaction, form)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Slash commands go through the tree; buttons, selects and modals go to a worker,
        # which routes them by custom_id.
        if interaction.type == discord.InteractionType.component:
            custom_id = (interaction.data or {}).get("custom_id", "")
            if RETRY.parse(custom_id) is not None:
                await modals.reopen_form(interaction)  # a form must be the first answer: no worker can
            elif (form := await declare.clicked_form(custom_id, interaction.user.id)) is not None:
                await modals.answer_click(interaction, form)  # a button that opens a form (ClickForm)
            else:
                await self.forward(interaction, ephemeral=True)
        elif interaction.type == discord.InteractionType.modal_submit:
            await self.forward(interaction, ephemeral=True)


class GatewayEvents(InteractionAnswers):
    """Event handlers shared by the plain and the sharded client."""

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # From the gateway an interaction can wait behind a backlog, and one past Discord's
        # deadline is dropped (commands are, in ``forward``). Over HTTP, Discord's request is
        # itself the deadline: the endpoint answers whatever it is given.
        if interaction.type in FORWARDED and forwarding.too_late(interaction):
            return
        await super().on_interaction(interaction)

    def _setup(self, dev_guild_id: int | None) -> None:
        self.dev_guild_id = dev_guild_id
        self.tree = build_tree(self)

    async def setup_hook(self) -> None:
        if self.dev_guild_id:
            guild = discord.Object(self.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        where = f"guild {self.dev_guild_id}" if self.dev_guild_id else "globally"
        log.info("synced %d commands %s", len(synced), where)
        log.info("invite Muster with %s", invite_url(self.application_id))

    async def on_ready(self) -> None:
        shards = getattr(self, "shard_ids", None) or [0]
        log.info("gateway ready as %s on shards %s (%d guilds)", self.user, shards, len(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        from core.tasks import sync_guild_joined

        await enqueue(sync_guild_joined, guild.id, guild.name, seen_ns=event_stamp())

    on_guild_available = on_guild_join

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        from core.tasks import sync_guild_left

        await enqueue(sync_guild_left, guild.id, seen_ns=event_stamp(), name=guild.name)

    async def on_member_join(self, member: discord.Member) -> None:
        from core.tasks import sync_member

        await enqueue(sync_member, member.guild.id, _member_data(member), seen_ns=event_stamp())

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.nick != after.nick or before.roles != after.roles or before.name != after.name:
            await self.on_member_join(after)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        from core.tasks import sync_member_left

        await enqueue(
            sync_member_left, payload.guild_id, payload.user.id, seen_ns=event_stamp(), username=payload.user.name
        )

    async def on_guild_role_delete(self, role: discord.Role) -> None:
        from core.tasks import sync_role_deleted

        await enqueue(sync_role_deleted, role.guild.id, role.id)


class MusterClient(GatewayEvents, discord.Client):
    def __init__(self, *, dev_guild_id: int | None = None):
        super().__init__(intents=intents(), max_messages=None)
        self._setup(dev_guild_id)


class ShardedMusterClient(GatewayEvents, discord.AutoShardedClient):
    def __init__(self, *, shard_count: int, shard_ids: list[int] | None, dev_guild_id: int | None = None):
        super().__init__(intents=intents(), max_messages=None, shard_count=shard_count, shard_ids=shard_ids)
        self._setup(dev_guild_id)


def build_client(*, shard_count: int | None, shard_ids: list[int] | None, dev_guild_id: int | None):
    """A plain client, or an auto-sharded one when SHARD_COUNT is set."""
    if shard_count:
        return ShardedMusterClient(shard_count=shard_count, shard_ids=shard_ids, dev_guild_id=dev_guild_id)
    return MusterClient(dev_guild_id=dev_guild_id)
