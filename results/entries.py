"""Reading results as organisers type them: one entry a line (``/results post``, the dashboard
form), or one a row of a CSV file (the dashboard's upload).

A line is a position (ties: the same number again, or ``=2``), the name of a team, a member
(a mention, or their name in the server) or anyone, the points, and a note after a dash::

    1. Team Red 25 — fastest lap
    2) <@123456789012345678> 18
    =2 Blue 18
    4 Green Machine 10 - penalty

Each line that does not read is named in the refusal, so the organiser fixes it there.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from core.errors import RuleError
from results.models import NAME_MAX, NOTE_MAX, POINTS_MAX, POINTS_MIN

ENTRIES_MAX = 100
EXAMPLE = "`1. Team Red 25 — fastest lap`"
LINE = re.compile(
    r"^=?(?P<position>\d{1,4})\s*[.)]?\s+(?P<name>.+?)\s+(?P<points>[+-]?\d{1,7})"
    r"(?:\s*(?:\u2014|\u2013|-|\|)\s*(?P<note>.*))?$"
)
SHOWN = 40  # how much of a bad line a refusal repeats


@dataclass(frozen=True)
class EntryDraft:
    """One entry as typed; ``line`` is where it was (1-based), for refusals."""

    line: int
    position: int
    name: str
    points: int
    note: str = ""


def typed_line(entry) -> str:
    """A kept entry written back as a line (a member as a mention), to edit the results."""
    who = f"<@{entry.member_id}>" if entry.member_id else entry.name
    return f"{entry.position}. {who} {entry.points}" + (f" — {entry.note}" if entry.note else "")


def _quoted(text: str) -> str:
    return f'"{text[:SHOWN]}…"' if len(text) > SHOWN else f'"{text}"'


def _draft(line: int, position: str, name: str, points: str, note: str) -> EntryDraft:
    """One entry's parts, checked; a refusal names the line."""
    name, note = name.strip(), note.strip()
    if not position.isdigit() or not 1 <= int(position) <= 1000:
        raise RuleError(f"Line {line}: the position must be a whole number from 1 to 1000.")
    if not name:
        raise RuleError(f"Line {line} names nobody: give a team, a member or a name.")
    if len(name) > NAME_MAX:
        raise RuleError(f"Line {line}: the name is longer than {NAME_MAX} characters.")
    if not re.fullmatch(r"[+-]?\d+", points) or not POINTS_MIN <= int(points) <= POINTS_MAX:
        raise RuleError(f"Line {line}: the points must be a whole number from {POINTS_MIN} to {POINTS_MAX}.")
    if len(note) > NOTE_MAX:
        raise RuleError(f"Line {line}: the note is longer than {NOTE_MAX} characters.")
    return EntryDraft(line, int(position), name, int(points), note)


def _checked(drafts: list[EntryDraft]) -> list[EntryDraft]:
    if not drafts:
        raise RuleError(f"Give at least one entry, one a line, like {EXAMPLE}.")
    if len(drafts) > ENTRIES_MAX:
        raise RuleError(f"That is {len(drafts)} entries; an event's results hold at most {ENTRIES_MAX}.")
    seen: dict[str, int] = {}
    for draft in drafts:
        first = seen.setdefault(draft.name.casefold(), draft.line)
        if first != draft.line:
            raise RuleError(f"Line {draft.line} names {_quoted(draft.name)} again (line {first} did).")
    return drafts


def parse_lines(text: str) -> list[EntryDraft]:
    """The entries of a typed list, one a line (blank lines skipped); the first bad line is refused."""
    drafts = []
    for number, raw in enumerate(text.splitlines(), start=1):
        typed = raw.strip()
        if not typed:
            continue
        found = LINE.match(typed)
        if found is None:
            raise RuleError(
                f"Line {number} ({_quoted(typed)}) does not read as a position, a name, points and an "
                f"optional note after a dash: write it like {EXAMPLE}."
            )
        drafts.append(_draft(number, found["position"], found["name"], found["points"], found["note"] or ""))
    return _checked(drafts)


CSV_COLUMNS = ("position", "name", "points", "note")


def parse_csv(text: str) -> list[EntryDraft]:
    """The entries of a CSV file: position, name, points and an optional note a row (a header row
    naming them is skipped); a refusal names the file's line."""
    reader = csv.reader(io.StringIO(text))
    drafts = []
    for cells in reader:
        line, cells = reader.line_num, [cell.strip() for cell in cells]
        if not any(cells) or [c.casefold() for c in cells[:3]] == list(CSV_COLUMNS[:3]):
            continue
        if not 3 <= len(cells) <= 4:
            raise RuleError(f"Line {line} of the file has {len(cells)} columns: give position, name, points, note.")
        drafts.append(_draft(line, cells[0].lstrip("="), cells[1], cells[2], cells[3] if len(cells) == 4 else ""))
    return _checked(drafts)
