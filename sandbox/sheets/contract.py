"""What the Sheets v4 discovery document allows a request to carry.

The document is the one googleapiclient ships and builds its client from
(``googleapiclient/discovery_cache/documents/sheets.v4.json``), read at run time. A query
parameter the method does not declare, a value outside a parameter's enum, a boolean that
is not one, or a body field its request schema does not name is refused with Google's 400
wording. (Value types inside the body are not checked.)
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from sandbox.sheets.errors import invalid


@functools.cache
def _document() -> dict:
    path = resources.files("googleapiclient") / "discovery_cache" / "documents" / "sheets.v4.json"
    return json.loads(path.read_text())


def _method(dotted: str) -> dict:
    node = _document()
    *resources_, name = dotted.split(".")
    for part in resources_:
        node = node["resources"][part]
    return node["methods"][name]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def check_query(dotted: str, query) -> None:
    """400 for a query parameter ``dotted`` does not take, or a value it cannot have."""
    allowed = {**_document()["parameters"], **_method(dotted).get("parameters", {})}
    for name, value in query.items():
        parameter = allowed.get(name)
        if parameter is None or parameter.get("location") == "path":
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                f"Field '{name}' could not be found in request message."
            )
        if parameter.get("type") == "boolean" and value.lower() not in ("true", "false", "1", "0"):
            raise invalid(f"Invalid value at '{_snake(name)}' (TYPE_BOOL), \"{value}\"")
        if "enum" in parameter and value not in parameter["enum"]:
            raise invalid(f"Invalid value at '{_snake(name)}' ({value})")


def check_body(dotted: str, body: dict) -> None:
    """400 for a body field the method's request schema does not name.

    A fast pass over the body (no paths built) finds whether anything is wrong; only then
    does a second pass find where, for Google's message. A 100,000-row ``updateCells`` is
    a million cells, so the first pass is what every large write pays.
    """
    request = _method(dotted).get("request")
    if request is not None and not _fits(body, _compiled(request["$ref"])):
        _check_fields(body, {"$ref": request["$ref"]}, "")


class _Node:
    """A schema reduced to what field checking needs: named properties, list items, maps."""

    __slots__ = ("items", "properties", "values")

    def __init__(self):
        self.properties: dict[str, _Node] | None = None
        self.items: _Node | None = None
        self.values: _Node | None = None


_NODES: dict[str, _Node] = {}


def _compiled(ref: str) -> _Node:
    node = _NODES.get(ref)
    if node is None:
        node = _NODES[ref] = _Node()  # registered first: schemas refer to themselves
        _fill(node, _document()["schemas"][ref])
    return node


def _node(schema: dict) -> _Node:
    if "$ref" in schema:
        return _compiled(schema["$ref"])
    node = _Node()
    _fill(node, schema)
    return node


def _fill(node: _Node, schema: dict) -> None:
    if "properties" in schema:
        node.properties = {k: _node(v) for k, v in schema["properties"].items()}
    if "items" in schema:
        node.items = _node(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        node.values = _node(schema["additionalProperties"])


def _fits(value, node: _Node) -> bool:
    if isinstance(value, dict):
        props = node.properties
        if props is not None:
            for key, item in value.items():
                inner = props.get(key)
                if inner is None:
                    return False
                if (type(item) is dict or type(item) is list) and not _fits(item, inner):
                    return False
        elif node.values is not None:
            return all(_fits(item, node.values) for item in value.values())
    elif isinstance(value, list) and node.items is not None:
        items = node.items
        for item in value:
            if (type(item) is dict or type(item) is list) and not _fits(item, items):
                return False
    return True


def _check_fields(value, schema: dict, where: str) -> None:
    if "$ref" in schema:
        schema = _document()["schemas"][schema["$ref"]]
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check_fields(item, schema["items"], f"{where}[{i}]")
    elif isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                at = f" at '{where}'" if where else ""
                raise invalid(f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.')
            inner = f"{where}.{_snake(key)}" if where else _snake(key)
            _check_fields(item, schema["properties"][key], inner)
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            _check_fields(item, schema["additionalProperties"], f"{where}[{key}]")
