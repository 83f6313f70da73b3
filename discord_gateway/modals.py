"""Modals the gateway renders itself (a modal must be the first answer; no worker can send it)."""

from __future__ import annotations

from dataclasses import dataclass

import discord

STYLES = {"short": discord.TextStyle.short, "paragraph": discord.TextStyle.paragraph}


@dataclass(frozen=True)
class TextField:
    """One text input; ``custom_id`` is the key of ``Interaction.fields`` on the worker side."""

    custom_id: str
    label: str
    style: str = "short"
    required: bool = True
    default: str | None = None
    placeholder: str | None = None
    min_length: int | None = None
    max_length: int | None = None


def text_modal(custom_id: str, title: str, fields: list[TextField]) -> discord.ui.Modal:
    """A modal of text inputs; its custom_id ("<domain>:<action>[:<ids>]") routes the submission."""
    modal = discord.ui.Modal(title=title, custom_id=custom_id, timeout=None)
    for field in fields:
        modal.add_item(
            discord.ui.TextInput(
                label=field.label,
                custom_id=field.custom_id,
                style=STYLES[field.style],
                required=field.required,
                default=field.default,
                placeholder=field.placeholder,
                min_length=field.min_length,
                max_length=field.max_length,
            )
        )
    return modal


async def open_modal(interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
    """Answer with ``modal``. Its submission reaches the worker like any other interaction.

    The modal is stopped before it is sent so that discord.py keeps no instance in memory:
    the submission is routed by custom_id alone, on any shard, after any restart.
    """
    modal.stop()
    await interaction.response.send_modal(modal)
