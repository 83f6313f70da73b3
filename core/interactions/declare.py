"""How each app declares its slash commands for the gateway.

An app's ``discord/commands.py`` defines ``group``, a ``discord.app_commands.Group``, whose
callbacks make one of two moves, both carried out by the gateway process that runs them::

    from core.interactions.declare import FormLayout, TextField, forward, open_form, opens

    group = app_commands.Group(name="event", description="Events and registrations", guild_only=True)

    @group.command(name="list", description="Upcoming events")
    async def list_(interaction: discord.Interaction, page: app_commands.Range[int, 1, 1000] = 1):
        await forward(interaction)          # deferred privately, handled by a worker

    CREATE = FormLayout(CREATE_FORM, "New event", FIELDS)   # reopened filled in after a refusal

    @opens(CREATE_FORM)                     # who may: the form's @modal(allowed=...)
    @group.command(name="create", description="Create an event (opens a form)")
    async def create(interaction: discord.Interaction):
        await open_form(interaction, CREATE.build(...))

Option values reach the worker from Discord's raw data, so the callback's parameters only
declare the options (names, types, bounds, descriptions, autocomplete). Autocomplete
callbacks may read the database through the async ORM; the gateway never writes.

A command of its own at the top (``/standings``, no group) goes in the module's
``commands`` list, next to its groups::

    @app_commands.command(name="standings", description="A season's standings")
    @app_commands.guild_only()
    async def standings(interaction: discord.Interaction, season: str | None = None):
        await forward(interaction)

    commands = [standings]

The gateway collects every installed app's ``discord.commands`` module (``top_level()``), so
no app imports the gateway and the gateway imports no app.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol

import discord
from discord import app_commands
from django.apps import apps
from django.utils.module_loading import module_has_submodule

from core.interactions import drafts
from core.interactions.custom_ids import CustomId
from core.interactions.values import route_of


@dataclass(frozen=True)
class TextField:
    """One text input of a form; ``custom_id`` is its key in ``Interaction.fields``."""

    custom_id: str
    label: str
    style: str = "short"  # or "paragraph"
    required: bool = True
    placeholder: str | None = None
    max_length: int | None = None
    default: str | None = None  # shown filled in (a reopened form keeps what was typed)


@dataclass(frozen=True)
class Form:
    """A modal of text inputs; ``custom_id`` (built by a ``CustomId``) routes its submission."""

    custom_id: str
    title: str
    fields: tuple[TextField, ...]


@dataclass(frozen=True)
class FormLayout:
    """How a form looks, declared once in ``commands.py``: the command opens it, and the
    gateway reopens it filled in when the member clicks *Edit and try again* under a refusal.

    ``CREATE = FormLayout(CREATE_FORM, "New event", FIELDS)``; ``CREATE.build(capacity=...)``
    is the ``Form`` to open. The gateway finds every ``FormLayout`` of the apps' command
    modules (``layouts()``).
    """

    custom_id: CustomId
    title: str
    fields: tuple[TextField, ...]

    def build(self, **parts) -> Form:
        return Form(self.custom_id.build(**parts), self.title, self.fields)

    def refilled(self, custom_id: str, values: dict) -> Form:
        """The form as submitted (its custom_id carries the command's options), with what was typed."""
        return _filled(Form(custom_id, self.title, self.fields), values)


def _filled(form: Form, values: dict) -> Form:
    fields = tuple(
        replace(field, default=str(values[field.custom_id])[: field.max_length or 4000])
        if values.get(field.custom_id)
        else field
        for field in form.fields
    )
    return replace(form, fields=fields)


@dataclass(frozen=True)
class ClickForm:
    """A button whose click opens a form: a fixed one (leave's Decline reason) or one whose
    inputs depend on the database (a standup's questions).

    Discord lets only the first answer to a click be a form, so the gateway opens it itself:
    ``build(parts, member_id)`` (async; it may read the database with the async ORM, like
    autocomplete, and never writes) gets the button's custom_id parts and the clicker's id and
    returns the ``Form`` (whose custom_id is built by ``form``), or a sentence refusing. Declared
    in ``commands.py`` (found by ``click_forms()``); the form's submission goes to its
    ``@modal(form)`` like any other (who may submit it is its ``allowed=``), and *Edit and try
    again* reopens it from its ``FormLayout`` if it has one, else rebuilds it from the form's parts::

        ANSWER_CLICK = ClickForm(ANSWER, ANSWER_FORM, answer_form)
    """

    button: CustomId
    form: CustomId
    build: Callable[[dict, int], Awaitable[Form | str]]


class Gateway(Protocol):
    """What the gateway's client does for a command callback (``interaction.client``)."""

    async def forward(self, interaction: discord.Interaction, *, ephemeral: bool) -> None: ...

    async def open_form(self, interaction: discord.Interaction, form: Form) -> None: ...


def opens(form: CustomId):
    """Mark a command as opening ``form``: who may use it is the form's ``@modal(allowed=...)``.

    Put it above ``@group.command(...)``. The gateway opens the form itself (a worker could
    not), so the command has no worker route; ``/muster help`` reads the rule through the
    form's route instead, and there is no second copy of it::

        @opens(CREATE_FORM)
        @group.command(name="create", description="Create an event (opens a form)")
        async def create(interaction): ...
    """

    def mark(command: app_commands.Command) -> app_commands.Command:
        command.extras[OPENS] = form.prefix
        return command

    return mark


OPENS = "muster:opens"  # the key of ``opens`` in a command's ``extras``


async def forward(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Acknowledge now and hand the interaction to a worker (private unless ``ephemeral=False``)."""
    gateway: Gateway = interaction.client
    await gateway.forward(interaction, ephemeral=ephemeral)


async def open_form(interaction: discord.Interaction, form: Form) -> None:
    """Answer with ``form``; its submission reaches a worker like any other interaction."""
    gateway: Gateway = interaction.client
    await gateway.open_form(interaction, form)


async def refuse(interaction: discord.Interaction, text: str) -> None:
    """Answer privately with ``text`` and do nothing else."""
    await interaction.response.send_message(text, ephemeral=True)


def command_modules() -> list:
    """Every installed app's ``discord.commands`` module, imported, in app order.

    Found once per set of installed apps: the gateway asks on every click (``clicked_form``),
    and looking for the submodules on disk each time was a third of its CPU in a vote storm.
    """
    return list(_modules())


def _modules() -> tuple:
    return _command_modules(tuple(apps.get_app_configs()))


@functools.cache
def _command_modules(configs: tuple) -> tuple:
    return tuple(
        importlib.import_module(f"{config.name}.discord.commands")
        for config in configs
        if module_has_submodule(config.module, "discord") and _has_commands(config.name)
    )


def _has_commands(app: str) -> bool:
    return module_has_submodule(importlib.import_module(f"{app}.discord"), "commands")


TopLevel = app_commands.Group | app_commands.Command  # what Discord registers under a name of its own


def groups() -> list[app_commands.Group]:
    """The top-level command groups of every app: its ``group``, or its ``groups`` when it has several."""
    found: list[app_commands.Group] = []
    for module in command_modules():
        if hasattr(module, "groups"):
            found.extend(module.groups)
        elif hasattr(module, "group"):
            found.append(module.group)
    return found


def top_level() -> list[TopLevel]:
    """Every app's groups, then its top-level commands (its ``commands`` list): the whole tree."""
    found: list[TopLevel] = list(groups())
    for module in command_modules():
        found.extend(getattr(module, "commands", ()))
    return found


async def answer_unknown_command(interaction: discord.Interaction) -> bool:
    """Offer a slash command the tree does not know (a guild's own ``/<name>``) to the apps.

    An app's ``commands.py`` may define ``async def unknown_command(interaction) -> bool``,
    which answers it (usually ``forward``) and returns True, or returns False to pass.
    The workers' side is ``core.interactions.routing.command_fallback``.
    """
    for module in command_modules():
        answer = getattr(module, "unknown_command", None)
        if answer is not None and await answer(interaction):
            return True
    return False


def layouts() -> dict[str, FormLayout]:
    """Every app's form layouts, by the route of their custom_id ("event:create")."""
    return {value.custom_id.prefix: value for value in _declared(_modules()) if isinstance(value, FormLayout)}


def click_forms() -> dict[str, ClickForm]:
    """Every app's buttons that open a form, by the route of the button's custom_id ("standup:open")."""
    return {value.button.prefix: value for value in _declared(_modules()) if isinstance(value, ClickForm)}


@functools.cache
def _declared(modules: tuple) -> tuple:
    """The forms and form buttons the modules declare, in module order (read once per set of modules)."""
    return tuple(
        value for module in modules for value in vars(module).values() if isinstance(value, FormLayout | ClickForm)
    )


async def clicked_form(custom_id: str, member_id: int) -> Form | str | None:
    """What a click on a ``ClickForm`` button opens: its form, or the sentence refusing it;
    None when no ``ClickForm`` declares the button (a worker handles the click)."""
    click = click_forms().get(route_of("component", "", custom_id))
    if click is None:
        return None
    parts = click.button.parse(custom_id)
    if parts is None:
        return "This no longer does anything."
    return await click.build(parts, member_id)


async def reopened_form(custom_id: str, member_id: int) -> Form | None:
    """The form an *Edit and try again* button (``drafts.RETRY``) reopens, filled in; None when expired."""
    parts = drafts.RETRY.parse(custom_id)
    kept = await drafts.load(member_id, parts["draft"]) if parts else None
    if kept is None:
        return None
    route = route_of("modal", "", kept["custom_id"])
    layout = layouts().get(route)
    if layout is not None:
        return layout.refilled(kept["custom_id"], kept["fields"])
    click = next((c for c in click_forms().values() if c.form.prefix == route), None)
    form_parts = click.form.parse(kept["custom_id"]) if click else None
    if form_parts is None:
        return None
    form = await click.build(form_parts, member_id)
    return None if isinstance(form, str) else _filled(form, kept["fields"])


def walk(entry: TopLevel, parents: tuple[str, ...] = ()):
    """(path, command) for every command under ``entry``: ("event create", <Command>); a
    top-level command is its own only one ("standings", <Command>)."""
    if isinstance(entry, app_commands.Command):
        yield " ".join((*parents, entry.name)), entry
        return
    for child in entry.commands:
        yield from walk(child, (*parents, entry.name))
