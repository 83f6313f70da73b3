"""Worker-side handlers of /export: connect, now, status (organisers only)."""

from __future__ import annotations

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, command
from core.permissions import organiser
from sheets_export import services, tasks
from sheets_export.discord import messages
from sheets_export.models import ExportTarget


def _numbers(text: str | None) -> list[int]:
    if not text:
        return []
    try:
        return [int(part.strip().lstrip("#")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise RuleError(f"{text!r} is not a list of event numbers: write them like 12, 14.") from None


@command("export connect", allowed=organiser)
def connect(interaction: Interaction) -> Reply:
    options = interaction.options
    connection = services.Connection(
        guild_id=interaction.guild_id,
        url=options.get("url") or "",
        datasets=services.dataset_names(options.get("datasets")),
        event_ids=_numbers(options.get("events")),
        cadence=options.get("cadence") or ExportTarget.Cadence.EVERY_15,
        configured_by_id=interaction.actor.id,
    )
    target, title = services.connect(connection)
    tasks.export_soon(target.id, "connect")
    return Reply(content=messages.connected(target, title))


@command("export now", allowed=organiser)
def now(interaction: Interaction) -> Reply:
    ids = list(ExportTarget.objects.filter(guild_id=interaction.guild_id).values_list("id", flat=True))
    for target_id in ids:
        tasks.export_soon(target_id, "now")
    return Reply(content=messages.exporting(len(ids)))


@command("export status", allowed=organiser)
def status(interaction: Interaction) -> Reply:
    return Reply(content=messages.status(services.status_lines(interaction.guild_id, now=timezone.now())))
