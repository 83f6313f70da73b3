"""The guilds a token sees: exactly its own."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from api.routes.common import guild_of, snowflake
from api.schemas import RowId, Snowflake, responses
from core.models import Guild

router = Router(tags=["guilds"])


class GuildOut(Schema):
    id: Snowflake
    name: str
    timezone: str
    date_order: str
    organiser_role_id: Snowflake | None
    announcement_channel_id: Snowflake | None
    active: bool

    @staticmethod
    def of(guild: Guild) -> dict:
        return {
            "id": str(guild.id),
            "name": guild.name,
            "timezone": guild.timezone,
            "date_order": guild.date_order,
            "organiser_role_id": snowflake(guild.organiser_role_id),
            "announcement_channel_id": snowflake(guild.announcement_channel_id),
            "active": guild.active,
        }


@router.get("/guilds", response=responses({200: list[GuildOut]}), summary="The guilds this token may see")
def list_guilds(request: HttpRequest):
    return [GuildOut.of(request.auth.guild)]


@router.get("/guilds/{guild_id}", response=responses({200: GuildOut}), summary="One guild")
def get_guild(request: HttpRequest, guild_id: RowId):
    return GuildOut.of(guild_of(request, guild_id))
