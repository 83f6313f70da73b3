"""What every route shares: the error body, pages, Discord ids and safe text."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

T = TypeVar("T")
BIGINT_MAX = 2**63 - 1
# Path and query ids are database ids or Discord snowflakes: 64-bit, positive.
RowId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]


def _fits(value: str) -> str:
    if int(value) > BIGINT_MAX:
        raise ValueError("is not a Discord id (too large)")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Discord ids travel as strings, as in Discord's own JSON: JavaScript cannot hold them as numbers.
Snowflake = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{0,18}$"),
    AfterValidator(_fits),
    Field(examples=["1048576000000000001"]),
]


def text(max_length: int) -> type[str]:
    """A string of at most ``max_length`` characters without NUL (PostgreSQL refuses NUL)."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_nul)]  # type: ignore[return-value]


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class Error(Schema):
    detail: str
    errors: list[FieldError]


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="How many items match, on every page together.")
    limit: int
    offset: int


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=100, description="Items per page (1 to 100).")
    offset: int = Field(0, ge=0, le=1_000_000, description="Items to skip.")


def page(rows: QuerySet, query: PageQuery, convert) -> dict:
    """One page of ``rows`` as ``{"items", "count", "limit", "offset"}``, each item ``convert(row)``."""
    items = [convert(row) for row in rows[query.offset : query.offset + query.limit]]
    return {"items": items, "count": rows.count(), "limit": query.limit, "offset": query.offset}


ERRORS = {status: Error for status in (400, 401, 403, 404, 422, 429, 503)}


def responses(ok: dict) -> dict:
    """An operation's responses: ``ok`` plus the error statuses every operation may answer."""
    return {**ERRORS, **ok}
