"""What the routes share: the guild a token sees, times the API accepts, rule sentences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from django.http import HttpRequest
from pydantic import AfterValidator, AwareDatetime

from api.errors import ApiError, field_error
from core import channels
from core.models import Guild

NO_SUCH_GUILD = "There is no such guild for this token."
NO_CHANNEL = "this server has no announcement channel: give channel_id"
UNKNOWN_CHANNEL = (
    "is not a channel Muster knows in this server: use the announcement channel "
    "or one an event, poll or scheduled message was posted in"
)


def _plausible(moment: datetime) -> datetime:
    """The instant in UTC: ISO 8601 allows offsets to ±23:59, PostgreSQL stores at most ±15:59."""
    if not 1970 <= moment.year <= 9000:
        raise ValueError("must lie between the years 1970 and 9000")
    return moment.astimezone(UTC)


# Time zones are explicit: a time without a UTC offset is refused (422), never guessed.
Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]


def guild_of(request: HttpRequest, guild_id: int) -> Guild:
    """The token's guild when ``guild_id`` names it; any other guild is 404, as if it did not exist."""
    token = request.auth
    if guild_id != token.guild_id:
        raise ApiError(404, NO_SUCH_GUILD)
    return token.guild


def snowflake(value: int | None) -> str | None:
    return None if value is None else str(value)


def posting_channel(guild: Guild, channel_id: str | None, *, default: int | None = None) -> int:
    """Where the API may post: the announcement channel, or a channel Muster already posts in.

    Muster keeps no channel list and the web process holds no bot token to ask Discord, so a
    channel it has never seen in this server could be another server's: refused (422).
    """
    if channel_id is None:
        if default is None:
            raise ApiError(
                422, f"The channel is missing: {NO_CHANNEL}.", [field_error(["body", "channel_id"], NO_CHANNEL)]
            )
        return default
    wanted = int(channel_id)
    if not channels.is_known(guild, wanted):
        raise ApiError(
            422, f"Channel {wanted} {UNKNOWN_CHANNEL}.", [field_error(["body", "channel_id"], UNKNOWN_CHANNEL)]
        )
    return wanted
