"""The guild sub-navigation: one list of sections, shown on every ``/dashboard/g/<guild_id>/`` page.

Sections are named by their URL names; one not routed (yet) is left out of the menu
instead of breaking every page, so the pages of a section can arrive on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

SECTIONS = (
    ("guild", "Overview"),
    ("events", "Events"),
    ("templates", "Templates"),
    ("polls", "Polls"),
    ("archive", "Archive"),
    ("standings", "Standings"),
    ("members", "Members"),
    ("activity", "Activity"),
    ("settings", "Settings"),
    ("commands", "Commands"),
    ("schedules", "Schedules"),
    ("tasks", "Tasks"),
    ("leave", "Leave"),
    ("standups", "Standups"),
    ("roster", "Roster"),
    ("tokens", "API tokens"),
    ("log", "Organiser log"),
)


@dataclass(frozen=True)
class Link:
    name: str
    label: str
    url: str
    current: bool


def guild_nav(guild_id: int, current: str) -> list[Link]:
    """The links of the guild's sections that are routed, ``current`` marked."""
    links = []
    for name, label in SECTIONS:
        try:
            url = reverse(f"dashboard:{name}", kwargs={"guild_id": guild_id})
        except NoReverseMatch:
            continue
        links.append(Link(name, label, url, name == current))
    return links


def render_guild(request, guild, section: str, template: str, context: dict | None = None, *, status: int = 200):
    """Render a guild page: ``guild`` and its sub-navigation (``section`` current) in the context."""
    context = {"guild": guild, "guild_nav": guild_nav(guild.id, section), **(context or {})}
    return render(request, template, context, status=status)
