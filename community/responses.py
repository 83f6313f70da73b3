"""What a custom command answers and a schedule posts: checking it, and rendering it safely.

A response is text (up to 2,000 characters), an embed, or both. ``check_response`` refuses
what Discord would (embed limits) with a sentence for the organiser; ``render`` turns it
into Discord message JSON for one use, with the placeholders filled in and every mention
silent except the roles the organiser allowed (``allowed_mentions``).

Placeholders are a fixed list, replaced in one pass by a lookup (never ``str.format``, which
would reach attributes: ``{member.__class__}``); anything else in braces is shown as typed,
and a value put in is never read again, so a member named ``{guild}`` stays ``{guild}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.errors import RuleError
from core.markup import escape, truncate

CONTENT = 2000
TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, EMBED_TOTAL = 256, 4096, 5, 256, 1024, 6000
IMAGE_URL = 2048
COLOUR_MAX = 0xFFFFFF

PLACEHOLDERS = (
    "{member}",
    "{member.mention}",
    "{guild}",
    "{channel}",
    "{date}",
    "{event.title}",
    "{event.time}",
    "{event.link}",
)
_PLACEHOLDER = re.compile(r"\{[a-z]+(?:\.[a-z]+)?\}")


@dataclass(frozen=True)
class UpcomingEvent:
    title: str
    time: str  # a Discord timestamp
    link: str  # the post's URL, or ""


@dataclass(frozen=True)
class Context:
    """Who ran it where, and when: what the placeholders read.

    ``next_event`` is called only when the response names an ``{event.*}`` placeholder.
    """

    guild_name: str
    today: date
    channel_id: int | None = None
    member_id: int | None = None
    member_name: str = ""
    next_event: Callable[[], UpcomingEvent | None] = field(default=lambda: None)


def check_response(content: str, embed: dict) -> tuple[str, dict]:
    """The response as stored (stripped, embed keys normalised); ``RuleError`` naming what to change."""
    content = (content or "").strip()
    if len(content) > CONTENT:
        raise RuleError(f"The text is {len(content)} characters; Discord allows {CONTENT}.")
    embed = _check_embed(embed or {})
    if not content and not embed:
        raise RuleError("Give the response some text or an embed title or description.")
    return content, embed


def _check_embed(embed: dict) -> dict:
    title = str(embed.get("title") or "").strip()
    description = str(embed.get("description") or "").strip()
    fields = [
        {"name": str(f.get("name") or "").strip(), "value": str(f.get("value") or "").strip()}
        for f in embed.get("fields") or []
    ]
    image_url = str(embed.get("image_url") or "").strip()
    colour = embed.get("colour")
    if len(title) > TITLE:
        raise RuleError(f"The embed title is {len(title)} characters; Discord allows {TITLE}.")
    if len(description) > DESCRIPTION:
        raise RuleError(f"The embed description is {len(description)} characters; Discord allows {DESCRIPTION}.")
    if len(fields) > FIELDS:
        raise RuleError(f"The embed has {len(fields)} fields; at most {FIELDS} are allowed.")
    for f in fields:
        if not f["name"] or not f["value"]:
            raise RuleError('Each embed field needs a name and a value, one per line as "Name: value".')
        if len(f["name"]) > FIELD_NAME or len(f["value"]) > FIELD_VALUE:
            raise RuleError(
                f"The embed field {truncate(f['name'], 40)!r} is too long: names up to {FIELD_NAME} "
                f"characters, values up to {FIELD_VALUE}."
            )
    total = len(title) + len(description) + sum(len(f["name"]) + len(f["value"]) for f in fields)
    if total > EMBED_TOTAL:
        raise RuleError(f"The embed holds {total} characters; Discord allows {EMBED_TOTAL} in all.")
    if image_url and (not re.fullmatch(r"https?://\S+", image_url) or len(image_url) > IMAGE_URL):
        raise RuleError("The image URL must start with https:// (or http://) and have no spaces.")
    if colour not in (None, ""):
        colour = _colour(colour)
    if not (title or description or fields):
        if image_url or colour not in (None, ""):
            raise RuleError("An embed needs a title, a description or a field besides its colour and image.")
        return {}
    checked = {"title": title, "description": description, "fields": fields}
    if image_url:
        checked["image_url"] = image_url
    if colour not in (None, ""):
        checked["colour"] = colour
    return checked


def _colour(value) -> int:
    """A colour as a number: 5793266, "#5865F2" or "5865f2"."""
    if isinstance(value, bool):
        raise RuleError("The colour must be a hex value such as #5865F2.")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().removeprefix("#")
        if not re.fullmatch(r"[0-9a-fA-F]{6}", text):
            raise RuleError(f"The colour {str(value)!r} is not a hex value such as #5865F2.")
        number = int(text, 16)
    if not 0 <= number <= COLOUR_MAX:
        raise RuleError("The colour must be a hex value such as #5865F2.")
    return number


def parse_fields(text: str) -> list[dict]:
    """Embed fields typed one per line as ``Name: value``."""
    fields = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or not value.strip():
            raise RuleError(f'Write each embed field as "Name: value" on its own line; {truncate(line, 40)!r} is not.')
        fields.append({"name": name.strip(), "value": value.strip()})
    return fields


def fill(text: str, context: Context) -> str:
    """``text`` with the known placeholders replaced, in one pass; anything else as typed."""
    event: list = []  # looked up once, on the first {event.*}

    def value(match: re.Match) -> str:
        name = match.group()
        if name == "{member}":
            return escape(context.member_name)
        if name == "{member.mention}":
            return f"<@{context.member_id}>" if context.member_id else escape(context.member_name)
        if name == "{guild}":
            return escape(context.guild_name)
        if name == "{channel}":
            return f"<#{context.channel_id}>" if context.channel_id else ""
        if name == "{date}":
            return context.today.isoformat()
        if name.startswith("{event."):
            if not event:
                event.append(context.next_event())
            upcoming = event[0]
            if name == "{event.title}":
                return escape(upcoming.title) if upcoming else "no upcoming event"
            if name == "{event.time}":
                return upcoming.time if upcoming else ""
            if name == "{event.link}":
                return upcoming.link if upcoming else ""
        return name

    return _PLACEHOLDER.sub(value, text)


def render(content: str, embed: dict, context: Context, *, mention_role_ids: list[int]) -> dict:
    """Discord message JSON for one use: placeholders filled, cut to Discord's limits, mentions silent
    except ``mention_role_ids``."""
    message: dict = {
        "content": truncate(fill(content, context), CONTENT) if content else "",
        "embeds": [],
        "allowed_mentions": {"parse": [], "roles": [str(r) for r in mention_role_ids]},
    }
    if embed:
        rendered: dict = {}
        if embed.get("title"):
            rendered["title"] = truncate(fill(embed["title"], context), TITLE)
        if embed.get("description"):
            rendered["description"] = truncate(fill(embed["description"], context), DESCRIPTION)
        if embed.get("fields"):
            rendered["fields"] = [
                {
                    "name": truncate(fill(f["name"], context), FIELD_NAME),
                    "value": truncate(fill(f["value"], context), FIELD_VALUE),
                    "inline": False,
                }
                for f in embed["fields"]
            ]
        if embed.get("colour") is not None:
            rendered["color"] = embed["colour"]
        if embed.get("image_url"):
            rendered["image"] = {"url": embed["image_url"]}
        message["embeds"] = [_within_total(rendered)]
    return message


def _within_total(embed: dict) -> dict:
    """Placeholders may lengthen an embed past 6,000 characters in all: cut the description."""
    size = len(embed.get("title", "")) + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    if "description" in embed and size + len(embed["description"]) > EMBED_TOTAL:
        embed["description"] = truncate(embed["description"], max(1, EMBED_TOTAL - size))
    return embed
