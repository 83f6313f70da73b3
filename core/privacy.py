"""/muster privacy's rules: Download (the export by DM) and Forget me (told to organisers without the content)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core import organiser_log, outbox, personal_data
from core.discord_api.client import Upload
from core.models import GuildMember, OutboundMessage

EXPORT_FILENAME = "muster-your-data.json"


def send_export(member_id: int, *, interaction_id: int, guild_id: int | None) -> OutboundMessage:
    """Download: a DM with the member's data as a JSON file, once per click (the outbox's key)."""
    return outbox.enqueue(
        key=f"privacy:export:{member_id}:{interaction_id}",
        member_id=member_id,
        guild_id=guild_id,
        payload={"content": "Everything Muster stores about you, as you asked (`/muster privacy`)."},
        attachment="personal-data",
    )


def export_upload(message: OutboundMessage) -> Upload:
    """The export file, made at delivery from what is stored then (core.outbox.ATTACHMENTS)."""
    content = personal_data.export(message.member_id, now=timezone.now()).encode()
    return Upload(EXPORT_FILENAME, content, "application/json")


def forget_me(member_id: int, *, now: datetime) -> list[tuple[str, int]]:
    """Forget the member everywhere; (holding title, rows changed), and one organiser-log line per guild.

    Safe to run again: what is already forgotten changes nothing more (``personal_data``'s rule).
    """
    titles = {holding.model: holding.title for holding in personal_data.holdings()}
    with transaction.atomic():
        guild_ids = sorted(set(GuildMember.objects.filter(member_id=member_id).values_list("guild_id", flat=True)))
        changed = personal_data.forget(member_id, now=now)
        if changed:
            for guild_id in guild_ids:
                organiser_log.record_forgotten(guild_id, sum(changed.values()))
    return [(titles[model], n) for model, n in changed.items()]
