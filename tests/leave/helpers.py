"""What the leave tests share: the moment they run at, and asking for leave."""

from datetime import UTC, date, datetime

from leave import services

# Tuesday 1 December 2026, 10:00 in Paris (the cast's guild's zone).
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def ask(cast, type_name: str, start: date, end: date | None = None, *, half: str = "", who=None, now=NOW):
    """``who`` (the member by default) asks for leave of the type named."""
    who = who or cast.member
    leave_type = services.find_type(cast.guild.id, type_name)
    asked = services.Asked(leave_type, start, end or start, half=half)
    return services.request_leave(cast.guild.id, who.member_id, asked, now=now)
