"""Building blocks for the hand-written schemas: small helpers over plain JSON Schema."""

from __future__ import annotations

STRING = {"type": "string"}
BOOL = {"type": "boolean"}
INT32 = {"type": "integer", "format": "int32"}
INT64 = {"type": "integer", "format": "int64"}
NUMBER = {"type": "number"}
URI = {"type": "string", "format": "uri"}
DATE_TIME = {"type": "string", "format": "date-time"}
ANY = {}


def nullable(schema: dict) -> dict:
    """``schema`` or JSON null (OpenAPI 3.1's ``["T", "null"]`` / ``oneOf [null, T]``)."""
    return {"anyOf": [{"type": "null"}, schema]}


def array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def enum(*values) -> dict:
    return {"enum": list(values)}


def obj(title: str, required: dict, optional: dict | None = None, *, closed: bool = False) -> dict:
    """An object: ``required`` fields must be present, ``optional`` ones are typed when present.

    ``closed`` forbids fields the published schema does not name
    (``additionalProperties: false`` there).
    """
    schema = {
        "title": title,
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }
    if closed:
        schema["additionalProperties"] = False
    return schema


def with_fields(base: dict, title: str, required: dict | None = None, optional: dict | None = None) -> dict:
    """``base`` with more fields (an allOf in the published schema, or a gateway event's extras)."""
    schema = {**base, "title": title, "properties": {**base["properties"], **(required or {}), **(optional or {})}}
    schema["required"] = [*base["required"], *(required or {})]
    return schema


def document(schema: dict) -> dict:
    """A top-level schema with the Draft 2020-12 dialect named."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
