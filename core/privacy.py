"""/muster privacy's rules: Forget me, told to each guild's organisers without the content."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from core import organiser_log, personal_data
from core.models import GuildMember


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
