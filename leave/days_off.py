"""The guild's holiday calendar and what a day of leave counts.

A guild's days off are the dates its organisers added (``Holiday``) and, when its leave
settings name a country (and subdivision), that country's public holidays from the
``holidays`` package. Saturdays and Sundays are never working days. A leave request counts
only working days; a half day counts 0.5.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

import holidays as holiday_package

from core.errors import RuleError
from leave.models import Holiday, LeaveSettings

WEEKEND = (5, 6)  # Saturday, Sunday
HALF = Decimal("0.5")


@lru_cache(maxsize=256)
def _country_year(country: str, subdivision: str, year: int) -> tuple[tuple[date, str], ...]:
    found = holiday_package.country_holidays(country, subdiv=subdivision or None, years=year)
    return tuple(sorted(found.items()))


def country_holidays(country: str, subdivision: str, start: date, end: date) -> dict[date, str]:
    """The country's public holidays from ``start`` to ``end`` (both included); none for no country."""
    if not country:
        return {}
    days: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        for day, name in _country_year(country, subdivision, year):
            if start <= day <= end:
                days[day] = name
    return days


def check_country(country: str, subdivision: str) -> tuple[str, str]:
    """The country and subdivision as the holidays package spells them; a RuleError naming what it does not know."""
    country, subdivision = country.strip().upper(), subdivision.strip().upper()
    if not country:
        if subdivision:
            raise RuleError("A subdivision needs its country: pick the country too.")
        return "", ""
    supported = holiday_package.list_supported_countries()
    if country not in supported:
        raise RuleError(f"{country} is not a country the holiday calendar knows: use a code like GB, FR, DE or US.")
    if subdivision and subdivision not in {s.upper() for s in supported[country]}:
        known = ", ".join(sorted(supported[country])[:12]) or "none"
        raise RuleError(f"{subdivision} is not a subdivision of {country} (some it has: {known}).")
    return country, subdivision


def days_off(guild_id: int, start: date, end: date, *, settings: LeaveSettings | None = None) -> dict[date, str]:
    """The guild's holidays from ``start`` to ``end``: its own dates, then its country's (one query, plus settings)."""
    if settings is None:
        settings = LeaveSettings.objects.filter(guild_id=guild_id).first()
    days = country_holidays(settings.holiday_country, settings.holiday_subdivision, start, end) if settings else {}
    days.update(Holiday.objects.filter(guild_id=guild_id, date__range=(start, end)).values_list("date", "name"))
    return days


def working_days(guild_id: int, start: date, end: date) -> list[date]:
    """The days from ``start`` to ``end`` that leave counts: not a weekend, not a holiday of the guild."""
    off = days_off(guild_id, start, end)
    days, day = [], start
    while day <= end:
        if day.weekday() not in WEEKEND and day not in off:
            days.append(day)
        day += timedelta(days=1)
    return days


def counted(guild_id: int, start: date, end: date, half: str) -> Decimal:
    """What a request from ``start`` to ``end`` takes: its working days, or 0.5 for a half day."""
    days = len(working_days(guild_id, start, end))
    if half:
        return HALF if days else Decimal(0)
    return Decimal(days)
