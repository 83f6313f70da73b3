"""Discord markdown for what the bot writes: timestamps, truncation, mention lists, escaping.

User text (titles, places, options) goes through :func:`escape` before it is put inside
markdown, so ``**x** [link](https://example.com)`` in a title shows as typed instead of
becoming bold text and a live outside link in the bot's own message.
"""

from __future__ import annotations

import re
from datetime import datetime

import discord.utils

FIELD_VALUE_LIMIT = 1024
# A bracket not already escaped: after an even number of backslashes (escape_markdown has
# doubled every backslash the member typed, so an odd count is one of its own escapes).
_LINK_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")


def timestamp(moment: datetime, style: str = "F") -> str:
    """A Discord timestamp (``<t:unix:F>``): every reader sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """``text`` with Discord markdown and masked-link brackets escaped, to show as typed."""
    return _LINK_BRACKET.sub(r"\1\\\2", discord.utils.escape_markdown(text))


def escape_within(text: str, limit: int) -> str:
    """``text`` escaped, cut (before escaping, so no escape is split) until it fits ``limit``."""
    escaped = escape(text)
    cut = len(text)
    while len(escaped) > limit:
        cut -= max(1, (len(escaped) - limit) // 2)
        escaped = escape(text[:cut]) + "…"
    return escaped


def bold(text: str, limit: int = 100) -> str:
    """User text in bold, cut to ``limit`` characters first, escaped."""
    return f"**{escape(truncate(text, limit))}**"


def message_link(label: str, guild_id: int, channel_id: int | None, message_id: int | None) -> str:
    """``label`` as a masked link to a message when it is known, else ``label`` alone.

    ``label`` is markdown the caller built (already escaped).
    """
    if channel_id and message_id:
        return f"[{label}](https://discord.com/channels/{guild_id}/{channel_id}/{message_id})"
    return label


def mention_list(member_ids: list[int], total: int, limit: int = FIELD_VALUE_LIMIT) -> str:
    """Mentions separated by commas, ending in "+N more" when they do not all fit."""
    if total == 0:
        return "—"
    shown: list[str] = []
    for index, member_id in enumerate(member_ids):
        rest = total - index - 1
        candidate = ", ".join([*shown, f"<@{member_id}>"])
        suffix = f" +{rest} more" if rest else ""
        if len(candidate) + len(suffix) > limit:
            break
        shown.append(f"<@{member_id}>")
    hidden = total - len(shown)
    return ", ".join(shown) + (f" +{hidden} more" if hidden else "")
