"""Validate a JSON answer against a schema (Draft 2020-12), formats included.

jsonschema checks ``date-time`` and ``uri`` only when optional packages are installed, so
the formats the published schemas use are checked here: RFC 3339 timestamps, absolute
URIs, 32- and 64-bit integers, and Discord's ``snowflake``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    return not isinstance(value, str) or RFC3339.match(value) is not None


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


@FORMATS.checks("int32")
def _int32(value) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMATS.checks("int64")
def _int64(value) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@FORMATS.checks("snowflake")
def _snowflake(value) -> bool:
    return not isinstance(value, str) or (value.isdigit() and int(value) < 2**64)


def problems(instance, schema: dict) -> list[str]:
    """Every way ``instance`` breaks ``schema``, as ``path: message`` lines (empty: it conforms)."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    found = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(map(str, error.absolute_path)) or "(root)"
        found.append(f"{path}: {error.message}")
        for sub in error.context or ():
            found.append(f"  {'/'.join(map(str, sub.absolute_path)) or '(root)'}: {sub.message}")
    return found


def assert_conforms(instance, schema: dict) -> None:
    """Fail with every deviation listed when ``instance`` does not conform to ``schema``."""
    found = problems(instance, schema)
    assert not found, "\n".join([f"answer does not conform to {schema.get('title', 'the schema')}:", *found])


def answer(response, status: int, schema: dict | None):
    """An httpx response's JSON body, once its status is ``status`` and the body conforms to
    ``schema`` (``None``: the answer has no body).
    """
    assert response.status_code == status, response.text
    if schema is None:
        assert response.content == b""
        return None
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    body = response.json()
    assert_conforms(body, schema)
    return body
