"""The Sheets v4 discovery document, read from the installed googleapiclient, as JSON Schema.

The document ships inside google-api-python-client
(``googleapiclient/discovery_cache/documents/sheets.v4.json``); nothing of it is copied
here. ``schema(name)`` turns its schema ``name`` into Draft 2020-12: each ``{"$ref": "X"}``
becomes ``{"$ref": "#/$defs/X"}``, ``"type": "any"`` any value, ``int64`` a decimal string
(as Google's JSON renders 64-bit integers), ``int32`` an integer, and every object without
``additionalProperties`` is closed — a field the document does not name is a deviation.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

DROPPED = {"id", "description", "enumDescriptions", "deprecated", "readOnly", "annotations", "enumDeprecated"}


@functools.cache
def document() -> dict:
    path = resources.files("googleapiclient") / "discovery_cache" / "documents" / "sheets.v4.json"
    return json.loads(path.read_text())


def _convert(node):
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": f"#/$defs/{node['$ref']}"}
    result = {k: _convert(v) for k, v in node.items() if k not in DROPPED and k != "properties"}
    if node.get("type") == "any":
        del result["type"]
    if node.get("format") in ("int64", "uint64"):
        result.update(type="string", pattern=r"^-?[0-9]+$")
    if node.get("format") in ("int32", "uint32"):
        result["type"] = "integer"
    if "properties" in node:
        result["properties"] = {k: _convert(v) for k, v in node["properties"].items()}
    if node.get("type") == "object" and "additionalProperties" not in node:
        result["additionalProperties"] = False
    return result


@functools.cache
def _defs() -> dict:
    return {name: _convert(body) for name, body in document()["schemas"].items()}


def schema(name: str) -> dict:
    """The discovery document's schema ``name`` as a Draft 2020-12 JSON Schema."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": f"#/$defs/{name}", "$defs": _defs()}


def method(dotted: str) -> dict:
    """A method description, e.g. ``method("spreadsheets.values.get")``."""
    node = document()
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node["resources"][part]
    return node["methods"][parts[-1]]


def query_parameters(dotted: str) -> dict[str, dict]:
    """The query parameters a method accepts: its own and the document's global ones."""
    own = {k: v for k, v in method(dotted).get("parameters", {}).items() if v.get("location") == "query"}
    return {**document()["parameters"], **own}
