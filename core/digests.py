"""The daily digest DM, shared by the apps that have something for it: one DM, not two.

An app that sends a daily digest of its own (Jira's) is a *host*: when its digest goes, it
asks ``sections`` for what the other apps have for that member and day, and adds them.
An app with a few lines for a member's day (the desk's overdue tasks) registers a
``Section``; it sends a digest of its own only for the members no host will carry that day
(``hosted``)::

    # desk/apps.py
    digests.register_section(digests.Section("tasks", "Overdue tasks", overdue_lines, take))
    # jira_sync/apps.py
    digests.register_host(members_with_a_jira_digest_today)

``take`` records that the DM with ``key`` carries the section for that member and day, and
says False when another DM already did: a section goes out once a day whoever sends it,
however the ticks interleave (a unique constraint of the section's app decides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

Pair = tuple[int, int]  # (guild id, member id)
Lines = Callable[[int, int, date], list[str]]  # (guild id, member id, local date) -> lines
Take = Callable[[int, int, date, str], bool]  # (guild id, member id, local date, outbox key) -> taken now
Host = Callable[[frozenset[Pair], datetime], set[Pair]]


@dataclass(frozen=True)
class Section:
    name: str
    heading: str
    lines: Lines
    take: Take


_sections: dict[str, Section] = {}
_hosts: list[Host] = []


def register_section(section: Section) -> Section:
    """Offer a section to every digest (registering the same name again replaces it)."""
    _sections[section.name] = section
    return section


def register_host(host: Host) -> Host:
    """A sender of digests: ``host(pairs, at)`` names the pairs whose digest it sends or sent
    on their local date of ``at`` (so other apps wait for it instead of sending their own)."""
    if host not in _hosts:
        _hosts.append(host)
    return host


def unregister_host(host: Host) -> None:
    if host in _hosts:
        _hosts.remove(host)


def hosted(pairs: Iterable[Pair], *, at: datetime) -> set[Pair]:
    """The pairs some host's digest will carry today (one call per host)."""
    asked = frozenset((int(g), int(m)) for g, m in pairs)
    found: set[Pair] = set()
    for host in _hosts:
        if asked - found:
            found |= host(asked - found, at)
    return found


def sections(guild_id: int, member_id: int, local_date: date, *, key: str) -> list[tuple[str, list[str]]]:
    """The other apps' (heading, lines) for this member's digest of ``local_date``, each taken
    for the DM ``key`` (call it inside the transaction that writes that DM to the outbox)."""
    found = []
    for section in _sections.values():
        lines = section.lines(guild_id, member_id, local_date)
        if lines and section.take(guild_id, member_id, local_date, key):
            found.append((section.heading, lines))
    return found
