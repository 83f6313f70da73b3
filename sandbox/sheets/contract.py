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
    """400 for a body field the method's request schema does not name."""
    request = _method(dotted).get("request")
    if request is not None:
        _check_fields(body, {"$ref": request["$ref"]}, "")


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
