"""Discord's message limits, checked before sending so a request never earns a 400.

https://discord.com/developers/docs/resources/message#create-message and
https://discord.com/developers/docs/resources/message#embed-object-embed-limits
"""

from __future__ import annotations

from core.discord_api.errors import InvalidMessage

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_FIELDS = 25
EMBED_TEXT = {"title": 256, "description": 4096}
FIELD_NAME, FIELD_VALUE = 256, 1024
FOOTER, AUTHOR = 2048, 256
ROWS, ROW_BUTTONS, SELECT_OPTIONS = 5, 5, 25
LABEL, CUSTOM_ID, PLACEHOLDER = 80, 100, 150


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Discord's default upload limit for a message's files, in bytes ("Uploading Files").
UPLOAD_LIMIT = 10 * 1024 * 1024


def check_message(message: dict, *, edit: bool = False) -> None:
    """Raise ``InvalidMessage`` naming the first limit ``message`` breaks.

    A new message needs content, an embed or a component; an edit may change any subset.
    """
    content = message.get("content") or ""
    embeds = message.get("embeds") or []
    components = message.get("components") or []
    if len(content) > CONTENT:
        raise InvalidMessage(f"content is {len(content)} characters, over {CONTENT}")
    if not edit and not (content or embeds or components or message.get("attachments")):
        raise InvalidMessage("a message needs content, an embed or a component")
    if len(embeds) > EMBEDS:
        raise InvalidMessage(f"{len(embeds)} embeds, over {EMBEDS}")
    total = 0
    for index, embed in enumerate(embeds):
        total += _check_embed(index, embed)
    if total > EMBED_TOTAL:
        raise InvalidMessage(f"embeds hold {total} characters, over {EMBED_TOTAL}")
    _check_components(components)


def _check_embed(index: int, embed: dict) -> int:
    size = 0
    for key, limit in EMBED_TEXT.items():
        size += _within(f"embed {index} {key}", embed.get(key), limit)
    size += _within(f"embed {index} footer", (embed.get("footer") or {}).get("text"), FOOTER)
    size += _within(f"embed {index} author", (embed.get("author") or {}).get("name"), AUTHOR)
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        raise InvalidMessage(f"embed {index} has {len(fields)} fields, over {EMBED_FIELDS}")
    for field in fields:
        if not field.get("name") or not field.get("value"):
            raise InvalidMessage(f"embed {index} has a field without a name or value")
        size += _within(f"embed {index} field name", field["name"], FIELD_NAME)
        size += _within(f"embed {index} field value", field["value"], FIELD_VALUE)
    return size


def _check_components(rows: list[dict]) -> None:
    if len(rows) > ROWS:
        raise InvalidMessage(f"{len(rows)} action rows, over {ROWS}")
    for row in rows:
        items = row.get("components") or []
        if not 1 <= len(items) <= ROW_BUTTONS:
            raise InvalidMessage(f"an action row holds {len(items)} components (1 to {ROW_BUTTONS})")
        for item in items:
            _within("component label", item.get("label"), LABEL)
            _within("custom_id", item.get("custom_id"), CUSTOM_ID)
            _within("placeholder", item.get("placeholder"), PLACEHOLDER)
            if len(item.get("options") or []) > SELECT_OPTIONS:
                raise InvalidMessage(f"a select has more than {SELECT_OPTIONS} options")


def _within(what: str, text: str | None, limit: int) -> int:
    if text is None:
        return 0
    if len(text) > limit:
        raise InvalidMessage(f"{what} is {len(text)} characters, over {limit}")
    return len(text)
