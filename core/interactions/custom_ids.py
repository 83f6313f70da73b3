"""Component and modal custom_ids, declared once as templates that build and parse them.

In the style of discord.py's ``DynamicItem(template=...)``: the template names the parts
after ``<domain>:<action>``, and the same declaration writes the id on a button and reads
it back when the button is clicked, so the two can never drift apart::

    GOING = CustomId("event:going:{event_id:int}")

    GOING.build(event_id=12)          # "event:going:12"
    GOING.parse("event:going:12")     # {"event_id": 12}
    GOING.parse("event:going:x")      # None: malformed or foreign, "This no longer does anything"

Parts are ``{name}`` (text without ``:``), ``{name:int}`` (a non-negative integer) or, last
only, ``{name:rest}`` (everything that is left, colons included, possibly empty). Ids carry
everything needed to route them, so buttons keep working after restarts and on any shard.
"""

from __future__ import annotations

import re

MAX_LENGTH = 100  # Discord's limit for a custom_id
_PART = re.compile(r"\{(?P<name>[a-z_][a-z0-9_]*)(?::(?P<type>int|rest))?\}")
_PREFIX = re.compile(r"[a-z_]+:[a-z_]+")
_PATTERNS = {None: r"[^:]*", "int": r"\d+", "rest": r".*"}


class CustomId:
    """One custom_id shape: ``prefix`` ("<domain>:<action>") routes it, the parts carry ids."""

    def __init__(self, template: str):
        prefix = _PREFIX.match(template)
        if prefix is None or template[prefix.end() : prefix.end() + 1] not in ("", ":"):
            raise ValueError(f"custom_id template {template!r} must start '<domain>:<action>'")
        self.template = template
        self.prefix = prefix.group()
        self._types: dict[str, str | None] = {}
        pattern, position = "", 0
        for part in _PART.finditer(template):
            name, kind = part["name"], part["type"]
            if kind == "rest" and part.end() != len(template):
                raise ValueError(f"{{{name}:rest}} must end the template {template!r}")
            pattern += re.escape(template[position : part.start()]) + f"(?P<{name}>{_PATTERNS[kind]})"
            self._types[name] = kind
            position = part.end()
        self._regex = re.compile(pattern + re.escape(template[position:]), re.DOTALL)

    def __repr__(self) -> str:
        return f"CustomId({self.template!r})"

    def build(self, **parts) -> str:
        """The custom_id with these parts; refuses one Discord would not take."""
        if set(parts) != set(self._types):
            raise ValueError(f"{self.template!r} takes {sorted(self._types)}, got {sorted(parts)}")
        for name, value in parts.items():
            text = str(value)
            if self._types[name] == "int" and not (isinstance(value, int) and value >= 0):
                raise ValueError(f"{name} must be a non-negative integer, not {value!r}")
            if self._types[name] is None and ":" in text:
                raise ValueError(f"{name} may not contain ':' ({value!r})")
        custom_id = _PART.sub(lambda m: str(parts[m["name"]]), self.template)
        if len(custom_id) > MAX_LENGTH:
            raise ValueError(f"custom_id longer than {MAX_LENGTH} characters: {custom_id!r}")
        return custom_id

    def parse(self, custom_id: str) -> dict | None:
        """The parts of ``custom_id``, typed; None when it is not of this shape."""
        match = self._regex.fullmatch(custom_id)
        if match is None:
            return None
        return {name: int(value) if self._types[name] == "int" else value for name, value in match.groupdict().items()}
