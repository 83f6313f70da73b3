"""Time zone names as members and organisers type them."""

from __future__ import annotations

import difflib
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def close_timezones(name: str, limit: int = 3) -> list[str]:
    """Zone names close to ``name``: the same name in other case, a city's zone, then look-alikes."""
    typed = name.strip().lower().replace(" ", "_")
    if not typed:
        return []
    names = sorted(known_timezones())
    exact = [zone for zone in names if zone.lower() == typed]
    cities = [zone for zone in names if zone.lower().rsplit("/", 1)[-1] == typed and zone not in exact]
    lowered = {zone.lower(): zone for zone in names}
    alike = [lowered[match] for match in difflib.get_close_matches(typed, list(lowered), n=limit, cutoff=0.9)]
    found = list(dict.fromkeys([*exact, *sorted(cities, key=_canonical_first), *alike]))
    return found[:limit]


def _canonical_first(zone: str) -> tuple[bool, str]:
    # Europe/Paris before the legacy aliases (Etc/..., US/...) that share a last part.
    return (zone.split("/", 1)[0] in ("Etc", "US", "SystemV"), zone)


def not_a_timezone(name: str) -> str:
    """The sentence refusing ``name``, with the closest zone names when there are some."""
    close = close_timezones(name)
    if close:
        return f"{name} is not a time zone name; did you mean {' or '.join(close)}?"
    return f"{name} is not a time zone name; use an IANA name such as Europe/Paris."


def validate_timezone(name: str) -> None:
    """Refuse anything zoneinfo cannot load, naming the bad value and the closest names."""
    if name and name not in known_timezones():
        raise ValidationError("%(message)s", params={"message": not_a_timezone(name)}, code="invalid_timezone")
