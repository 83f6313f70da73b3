"""Message, modal and autocomplete payload checks with Discord's limits and error shapes.

Each check returns Discord's nested ``errors`` object (empty when the payload is valid),
so the caller can prefix it (``{"data": ...}`` for interaction callbacks).
"""

from __future__ import annotations

from .rest.errors import field_error

ACTION_ROW, BUTTON, TEXT_INPUT, LABEL = 1, 2, 4, 18
SELECTS = (3, 5, 6, 7, 8)
LINK_STYLE, PREMIUM_STYLE = 5, 6
IS_COMPONENTS_V2 = 1 << 15


def _max_len(value, limit: int) -> dict | None:
    if isinstance(value, str) and len(value) > limit:
        return field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    return None


def _put(errors: dict, path: list, leaf: dict | None) -> None:
    if leaf is None:
        return
    node = errors
    for key in path[:-1]:
        node = node.setdefault(str(key), {})
    node[str(path[-1])] = leaf


def message_errors(payload: dict) -> dict:
    """Errors for content, embeds and components of a message create or edit."""
    errors: dict = {}
    _put(errors, ["content"], _max_len(payload.get("content"), 2000))
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        _put(errors, ["embeds"], field_error("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    else:
        _embed_errors(embeds, errors)
    components = payload.get("components") or []
    if not int(payload.get("flags") or 0) & IS_COMPONENTS_V2:
        _component_errors(components, errors, ["components"])
    return errors


def is_empty(payload: dict) -> bool:
    """A message with nothing to show, which Discord refuses with 50006."""
    keys = ("content", "embeds", "components", "attachments", "sticker_ids", "poll", "files")
    return not any(payload.get(k) for k in keys)


def _embed_errors(embeds: list, errors: dict) -> None:
    total = 0
    for i, embed in enumerate(embeds):
        base = ["embeds", i]
        for key, limit in (("title", 256), ("description", 4096)):
            _put(errors, [*base, key], _max_len(embed.get(key), limit))
            total += len(embed.get(key) or "")
        footer, author = embed.get("footer") or {}, embed.get("author") or {}
        _put(errors, [*base, "footer", "text"], _max_len(footer.get("text"), 2048))
        _put(errors, [*base, "author", "name"], _max_len(author.get("name"), 256))
        total += len(footer.get("text") or "") + len(author.get("name") or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            _put(
                errors,
                [*base, "fields"],
                field_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."),
            )
        for j, field in enumerate(fields[:25]):
            for key, limit in (("name", 256), ("value", 1024)):
                value = field.get(key)
                if not value:
                    _put(
                        errors,
                        [*base, "fields", j, key],
                        field_error("BASE_TYPE_REQUIRED", "This field is required"),
                    )
                else:
                    _put(errors, [*base, "fields", j, key], _max_len(value, limit))
                    total += len(value)
    if total > 6000 and "embeds" not in errors:
        _put(
            errors,
            ["embeds"],
            field_error("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"),
        )


def _component_errors(rows: list, errors: dict, base: list, *, modal: bool = False) -> None:
    if len(rows) > 5:
        _put(errors, base, field_error("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."))
        return
    for i, row in enumerate(rows):
        if row.get("type") == LABEL and modal:
            continue
        if row.get("type") != ACTION_ROW:
            _put(
                errors,
                [*base, i, "type"],
                field_error("UNION_TYPE_CHOICES", 'Value of field "type" must be one of (1,).'),
            )
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            _put(
                errors,
                [*base, i, "components"],
                field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."),
            )
            continue
        wide = [c for c in children if c.get("type") in (*SELECTS, TEXT_INPUT)]
        if wide and len(children) > 1:
            _put(
                errors,
                [*base, i, "components"],
                field_error("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"),
            )
            continue
        for j, child in enumerate(children):
            _child_errors(child, errors, [*base, i, "components", j])


def _child_errors(child: dict, errors: dict, path: list) -> None:
    _put(errors, [*path, "custom_id"], _max_len(child.get("custom_id"), 100))
    kind = child.get("type")
    if kind == BUTTON:
        _put(errors, [*path, "label"], _max_len(child.get("label"), 80))
        style = child.get("style")
        if style == LINK_STYLE and not child.get("url"):
            _put(errors, [*path, "url"], field_error("BASE_TYPE_REQUIRED", "This field is required"))
        elif style not in (LINK_STYLE, PREMIUM_STYLE) and not child.get("custom_id"):
            _put(errors, [*path, "custom_id"], field_error("BASE_TYPE_REQUIRED", "This field is required"))
    elif kind in SELECTS:
        options = child.get("options") or []
        if kind == 3 and not 1 <= len(options) <= 25:
            _put(
                errors,
                [*path, "options"],
                field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length."),
            )
        for k, option in enumerate(options[:25]):
            _put(errors, [*path, "options", k, "label"], _max_len(option.get("label"), 100))
            _put(errors, [*path, "options", k, "value"], _max_len(option.get("value"), 100))
        _put(errors, [*path, "placeholder"], _max_len(child.get("placeholder"), 150))
    elif kind == TEXT_INPUT:
        _put(errors, [*path, "label"], _max_len(child.get("label"), 45))


def modal_errors(data: dict) -> dict:
    """Errors for an interaction callback of type 9 (modal)."""
    errors: dict = {}
    for key, limit in (("custom_id", 100), ("title", 45)):
        value = data.get(key)
        if not value:
            _put(errors, [key], field_error("BASE_TYPE_REQUIRED", "This field is required"))
        else:
            _put(errors, [key], _max_len(value, limit))
    components = data.get("components") or []
    if not components:
        _put(errors, ["components"], field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."))
    _component_errors(components, errors, ["components"], modal=True)
    return errors


def autocomplete_errors(data: dict) -> dict:
    """Errors for an interaction callback of type 8 (autocomplete result)."""
    errors: dict = {}
    choices = data.get("choices")
    if not isinstance(choices, list):
        _put(errors, ["choices"], field_error("BASE_TYPE_REQUIRED", "This field is required"))
    elif len(choices) > 25:
        _put(errors, ["choices"], field_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    else:
        for i, choice in enumerate(choices):
            _put(errors, ["choices", i, "name"], _max_len(choice.get("name"), 100))
    return errors
