"""The command tree, declared per domain: one module here per domain.

Each module defines ``group``, a ``discord.app_commands.Group`` whose commands only
hand the interaction on (the work happens in a worker, see ``discord_gateway.routing``)::

    # discord_gateway/commands/event.py
    import discord
    from discord import app_commands

    from discord_gateway.forwarding import forward
    from discord_gateway.modals import TextField, open_modal, text_modal

    group = app_commands.Group(name="event", description="Events and registrations", guild_only=True)

    @group.command(name="list", description="Upcoming events")
    async def list_(interaction: discord.Interaction, past: bool = False):
        await forward(interaction, ephemeral=True)      # deferred privately, handled by a worker

    @group.command(name="create", description="Create an event")
    async def create(interaction: discord.Interaction):
        await open_modal(interaction, text_modal("event:create", "New event", [TextField("title", "Title")]))

    # Buttons that open a modal instead of being deferred: custom_id prefix -> async factory.
    component_modals = {"event:edit": make_edit_modal}

Option values reach the worker from Discord's raw data, so the callback's parameters only
declare the options (names, types, descriptions, autocomplete). Autocomplete callbacks may
read the database through the async ORM; the gateway never writes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from types import ModuleType

from discord import app_commands


def domain_modules() -> list[ModuleType]:
    """Every domain module of this package, imported, by name."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]


def groups() -> list[app_commands.Group]:
    """The top-level command group of every domain."""
    return [module.group for module in domain_modules() if hasattr(module, "group")]


def component_modals() -> dict[str, Callable[..., Awaitable]]:
    """custom_id prefix ("<domain>:<action>") -> async factory of the modal that button opens."""
    openers: dict[str, Callable[..., Awaitable]] = {}
    for module in domain_modules():
        for prefix, factory in getattr(module, "component_modals", {}).items():
            if prefix in openers:
                raise ValueError(f"component modal {prefix!r} is declared twice")
            openers[prefix] = factory
    return openers


def walk(group: app_commands.Group, parents: tuple[str, ...] = ()):
    """(path, command) for every command under ``group``: ("event create", <Command>)."""
    names = (*parents, group.name)
    for child in group.commands:
        if isinstance(child, app_commands.Group):
            yield from walk(child, names)
        else:
            yield " ".join((*names, child.name)), child
