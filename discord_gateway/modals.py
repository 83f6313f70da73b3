"""Forms the gateway opens itself (a modal must be the first answer; no worker can send it)."""

from __future__ import annotations

import discord

from core.interactions.declare import Form, reopened_form
from core.interactions.drafts import EXPIRED

STYLES = {"short": discord.TextStyle.short, "paragraph": discord.TextStyle.paragraph}


def text_modal(form: Form) -> discord.ui.Modal:
    """The discord.py modal of ``form``'s text inputs."""
    modal = discord.ui.Modal(title=form.title, custom_id=form.custom_id, timeout=None)
    for field in form.fields:
        text_input = discord.ui.TextInput(
            label=field.label,
            custom_id=field.custom_id,
            style=STYLES[field.style],
            required=field.required,
            placeholder=field.placeholder,
            max_length=field.max_length,
            default=field.default,
        )
        modal.add_item(text_input)
    return modal


async def open_form(interaction: discord.Interaction, form: Form) -> None:
    """Answer with ``form``. Its submission reaches the worker like any other interaction.

    The modal is stopped before it is sent so that discord.py keeps no instance in memory:
    the submission is routed by custom_id alone, on any shard, after any restart.
    """
    modal = text_modal(form)
    modal.stop()
    await interaction.response.send_modal(modal)


async def answer_click(interaction: discord.Interaction, form: Form | str) -> None:
    """Answer a click on a ``ClickForm`` button with its form, or privately with the sentence refusing it."""
    if isinstance(form, str):
        await interaction.response.send_message(form, ephemeral=True)
    else:
        await open_form(interaction, form)


async def reopen_form(interaction: discord.Interaction) -> None:
    """Answer an *Edit and try again* click with the refused form, filled in with what was typed."""
    form = await reopened_form((interaction.data or {}).get("custom_id", ""), interaction.user.id)
    if form is None:
        await interaction.response.send_message(EXPIRED, ephemeral=True)
    else:
        await open_form(interaction, form)
