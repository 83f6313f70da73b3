"""Time zone names as members and organisers type them."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(name: str) -> None:
    """Refuse anything zoneinfo cannot load, naming the bad value."""
    if name and name not in known_timezones():
        raise ValidationError(
            "%(name)s is not a time zone name; use an IANA name such as Europe/Paris.",
            params={"name": name},
            code="invalid_timezone",
        )
