"""Roster sync: the club's own member list, imported as CSV, compared with the guild, and
(only when an organiser clicks) the guild's "Member" role made to follow it.

The CSV has a header naming its columns: ``discord`` (a username, ``@username`` or a user
id; required), ``external_id`` (the club's own id; optional) and ``roles`` (role names or
ids separated by ``;`` or ``|``; optional). An import replaces the guild's roster whole;
a bad line refuses the whole file with a sentence naming the line (``RosterError``).

The comparison (``status``) reads Muster's directory of the guild (``GuildMember``, kept
current by the gateway) and says who is on the roster but not in the guild, who is in the
guild but not on the roster, and whose roles differ from the roster's. Only the roles the
roster names anywhere are compared, so a member's other roles (organisers, colours) never
count as a difference. Role names are matched through ``Roster.role_names``, which a worker
reads from Discord (``read_roles``: the web holds no bot token), at import and at each apply.

The apply step (``apply``, a task a worker runs after the organiser's click, never by
itself) adds the Member role to members on the roster who lack it, and removes it from
members who hold it but are not on the roster. It checks first that the bot may: Manage
Roles, and its highest role above the Member role; if not, nothing is changed and the
problem is kept in one sentence for the page. At most ``CHANGES_PER_RUN`` changes per run;
the task queues the next run for the rest.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from community.models import Roster, RosterEntry
from core.discord_api import PermanentError, TransientError, get_client
from core.errors import RuleError
from core.models import GuildMember
from core.permissions import MANAGE_ROLES, computed_permissions, highest_role_position

MAX_LINES = 5000
MAX_BYTES = 1_000_000
CHANGES_PER_RUN = 200
STALE_APPLY = timedelta(minutes=10)  # a claim older than this lost its worker
_ID = re.compile(r"^(?:<@!?)?(\d{15,20})>?$")
_USERNAME = re.compile(r"^[a-z0-9_.]{2,32}$")
_ROLE_ID = re.compile(r"^(?:<@&)?(\d{15,20})>?$")
COLUMNS = {"discord", "external_id", "roles"}


class RosterError(RuleError):
    """A CSV the import refuses; the message names the line."""


@dataclass(frozen=True)
class Line:
    line: int
    discord_id: int | None
    username: str
    external_id: str
    roles: tuple[str, ...]


def parse_csv(data: bytes) -> list[Line]:
    """The roster's lines, or ``RosterError`` naming the first bad line."""
    if len(data) > MAX_BYTES:
        raise RosterError(f"The file is larger than {MAX_BYTES // 1_000_000} MB; split the roster.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError("The file is not UTF-8 text; save the roster as CSV (UTF-8).") from None
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header or not any(cell.strip() for cell in header):
        raise RosterError("The file is empty: line 1 should name the columns, e.g. discord,external_id,roles.")
    names = [cell.strip().lower().replace(" ", "_") for cell in header]
    if "discord" not in names:
        raise RosterError("Line 1 names no discord column: it should name the columns, e.g. discord,external_id,roles.")
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        raise RosterError(f'Line 1: "{unknown[0][:40]}" is not a column of a roster (discord, external_id, roles).')
    lines: list[Line] = []
    seen: dict[object, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            raise RosterError(f"Line {number} has {len(row)} cells; the header names {len(names)} columns.")
        cells = dict(zip(names, (cell.strip() for cell in row), strict=False))
        line = _line(number, cells)
        who = line.discord_id or line.username
        if who in seen:
            raise RosterError(
                f"Line {number}: {cells['discord'][:40]} is on the roster twice (line {seen[who]} first)."
            )
        seen[who] = number
        lines.append(line)
        if len(lines) > MAX_LINES:
            raise RosterError(f"A roster has at most {MAX_LINES} lines; line {number} is one too many.")
    if not lines:
        raise RosterError("The file names nobody: add a line per member below the header.")
    return lines


def _line(number: int, cells: dict) -> Line:
    typed = cells.get("discord", "")
    if not typed:
        raise RosterError(f"Line {number} has no Discord username or id.")
    found = _ID.match(typed)
    discord_id, username = (int(found[1]), "") if found else (None, _username(typed))
    if discord_id is None and not _USERNAME.match(username):
        raise RosterError(f'Line {number}: "{typed[:40]}" is not a Discord username or id.')
    external = cells.get("external_id", "")
    if len(external) > 100:
        raise RosterError(f"Line {number}: the external id has more than 100 characters.")
    roles = tuple(r.strip() for r in re.split(r"[;|]", cells.get("roles", "")) if r.strip())
    if any(len(r) > 100 for r in roles):
        raise RosterError(f"Line {number}: a role name has more than 100 characters.")
    return Line(number, discord_id, username, external, roles)


def _username(typed: str) -> str:
    """``@Alice``, ``alice#0`` as Discord's lowercase username."""
    name = typed.lstrip("@").lower()
    return name[:-2] if name.endswith("#0") else name


@transaction.atomic
def import_roster(guild_id: int, data: bytes, *, source: str = "", by: int | None = None, now: datetime) -> Roster:
    """Replace the guild's roster with the file's lines (``RosterError`` for a bad line)."""
    lines = parse_csv(data)
    roster, _ = Roster.objects.select_for_update().get_or_create(guild_id=guild_id)
    RosterEntry.objects.filter(guild_id=guild_id).delete()
    RosterEntry.objects.bulk_create(
        RosterEntry(
            guild_id=guild_id,
            line=line.line,
            discord_id=line.discord_id,
            username=line.username,
            external_id=line.external_id,
            roles=list(line.roles),
        )
        for line in lines
    )
    roster.source, roster.imported_at, roster.imported_by_id = source[:200], now, by
    roster.save()
    return roster


def set_member_role(guild_id: int, role_id: int | None) -> Roster:
    if role_id is not None and role_id == guild_id:
        raise RuleError("@everyone cannot be the Member role: choose a role of its own.")
    roster, _ = Roster.objects.get_or_create(guild_id=guild_id)
    roster.member_role_id = role_id
    roster.save(update_fields=["member_role_id", "updated_at"])
    return roster


# The comparison.


@dataclass(frozen=True)
class RoleDifference:
    entry: RosterEntry
    member: GuildMember
    lacking: tuple[int, ...]  # roles the roster gives them that they do not hold
    surplus: tuple[int, ...]  # roles they hold that the roster does not give them


@dataclass
class Status:
    roster: Roster | None
    entries: int = 0
    not_in_guild: list[RosterEntry] = field(default_factory=list)
    not_on_roster: list[GuildMember] = field(default_factory=list)
    roles_differ: list[RoleDifference] = field(default_factory=list)
    unknown_roles: list[str] = field(default_factory=list)  # names the roster uses that Discord has not
    to_add: list[GuildMember] = field(default_factory=list)  # on the roster, lacking the Member role
    to_remove: list[GuildMember] = field(default_factory=list)  # holding it, not on the roster


def _role_ids(names: list[str], by_name: dict[str, int], unknown: set[str]) -> set[int]:
    found = set()
    for name in names:
        typed = _ROLE_ID.match(name)
        if typed:
            found.add(int(typed[1]))
        elif name.lower() in by_name:
            found.add(by_name[name.lower()])
        else:
            unknown.add(name)
    return found


def status(guild_id: int) -> Status:
    """The roster compared with the guild, as Muster's directory knows it (three queries)."""
    roster = Roster.objects.filter(guild_id=guild_id).first()
    found = Status(roster)
    entries = list(RosterEntry.objects.filter(guild_id=guild_id).order_by("line"))
    found.entries = len(entries)
    members = list(
        GuildMember.objects.filter(guild_id=guild_id, left_at__isnull=True)
        .select_related("member")
        .order_by("member__username", "member_id")
    )
    by_id = {gm.member_id: gm for gm in members}
    by_username = {gm.member.username.lower(): gm for gm in members}
    by_name = {str(name).lower(): int(role_id) for role_id, name in (roster.role_names if roster else {}).items()}
    unknown: set[str] = set()
    managed = set()
    wanted: dict[int, set[int]] = {}
    matched: set[int] = set()
    pairs = []
    for entry in entries:
        roles = _role_ids(entry.roles, by_name, unknown)
        managed |= roles
        gm = by_id.get(entry.discord_id) if entry.discord_id else by_username.get(entry.username)
        if gm is None:
            found.not_in_guild.append(entry)
            continue
        matched.add(gm.member_id)
        wanted[gm.member_id] = roles
        pairs.append((entry, gm))
    member_role = roster.member_role_id if roster else None
    for entry, gm in pairs:
        held = {int(r) for r in gm.role_ids or ()}
        lacking = tuple(sorted(wanted[gm.member_id] - held))
        surplus = tuple(sorted((held & managed) - wanted[gm.member_id]))
        if lacking or surplus:
            found.roles_differ.append(RoleDifference(entry, gm, lacking, surplus))
        if member_role and member_role not in held:
            found.to_add.append(gm)
    for gm in members:
        if gm.member_id in matched:
            continue
        found.not_on_roster.append(gm)
        if member_role and member_role in {int(r) for r in gm.role_ids or ()}:
            found.to_remove.append(gm)
    found.unknown_roles = sorted(unknown)
    return found


# Reading Discord and applying (workers only: they hold the bot token).


def read_roles(guild_id: int, *, now: datetime, client=None) -> dict[str, str]:
    """The guild's role names, read from Discord and kept on the roster for the comparison."""
    client = client or get_client()
    guild = client.request("GET", "/guilds/{guild_id}", {"guild_id": guild_id})
    _keep_roles(guild_id, guild, now)
    return {str(r["id"]): r["name"] for r in guild.get("roles", [])}


def _keep_roles(guild_id: int, guild: dict, now: datetime) -> None:
    names = {str(r["id"]): r["name"] for r in guild.get("roles", []) if str(r["id"]) != str(guild_id)}
    Roster.objects.update_or_create(guild_id=guild_id, defaults={"role_names": names, "roles_read_at": now})


def problem(guild: dict, bot: dict, role_id: int) -> str:
    """The one sentence saying why the bot may not hand out the Member role (empty: it may)."""
    role = next((r for r in guild.get("roles", []) if str(r["id"]) == str(role_id)), None)
    if role is None:
        return "The Member role is gone from Discord: choose another on the Roster page."
    if not computed_permissions(guild, bot) & MANAGE_ROLES:
        return "Muster cannot hand out the Member role: give its role Manage Roles (Server Settings, Roles)."
    if int(role.get("position", 0)) >= highest_role_position(guild, bot):
        return f"Muster cannot hand out {role['name']}: drag Muster's role above it (Server Settings, Roles)."
    return ""


@dataclass
class Applied:
    added: int = 0
    removed: int = 0
    left: int = 0  # changes for the next run
    problem: str = ""
    claimed: bool = True


def claim_apply(guild_id: int, *, now: datetime) -> bool:
    """Compare-and-set: one apply of a guild at a time (a stale claim is taken over)."""
    Roster.objects.get_or_create(guild_id=guild_id)
    free = Roster.objects.filter(guild_id=guild_id)
    free = free.filter(applying_since__isnull=True) | free.filter(applying_since__lt=now - STALE_APPLY)
    return free.update(applying_since=now) == 1


def apply(guild_id: int, *, now: datetime, client=None, limit: int = CHANGES_PER_RUN) -> Applied:
    """Add the Member role to those on the roster who lack it, remove it from those not on it;
    checked first (permission, hierarchy). Run by a worker after the organiser's click."""
    if not claim_apply(guild_id, now=now):
        return Applied(claimed=False)
    done = Applied()
    try:
        _apply(guild_id, done, now, client or get_client(), limit)
    finally:
        Roster.objects.filter(guild_id=guild_id).update(
            applying_since=None, applied_at=now, last_apply=vars(done) | {"at": now.isoformat()}
        )
    return done


def _apply(guild_id: int, done: Applied, now: datetime, client, limit: int) -> None:
    roster = Roster.objects.get(guild_id=guild_id)
    if not roster.member_role_id:
        done.problem = "Choose the Member role first."
        return
    role_id = roster.member_role_id
    guild = client.request("GET", "/guilds/{guild_id}", {"guild_id": guild_id})
    _keep_roles(guild_id, guild, now)
    bot_id = client.request("GET", "/users/@me", {})["id"]
    bot = client.request("GET", "/guilds/{guild_id}/members/{user_id}", {"guild_id": guild_id, "user_id": bot_id})
    bot.setdefault("user", {"id": str(bot_id)})
    done.problem = problem(guild, bot, role_id)
    if done.problem:
        return
    found = status(guild_id)
    changes = [(gm, True) for gm in found.to_add] + [(gm, False) for gm in found.to_remove]
    done.left = max(0, len(changes) - limit)
    path = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
    for gm, adding in changes[:limit]:
        params = {"guild_id": guild_id, "user_id": gm.member_id, "role_id": role_id}
        try:
            client.request("PUT" if adding else "DELETE", path, params)
        except PermanentError as exc:
            if exc.status == 404:  # they left meanwhile: the gateway will say so
                continue
            done.problem = f"Discord refused a role change ({exc.status}); nothing more was changed."
            done.left += 1
            return
        except TransientError:
            done.left += 1
            continue
        held = [int(r) for r in gm.role_ids or ()]
        # The directory follows at once (the gateway's member update will say the same).
        gm.role_ids = sorted({*held, role_id}) if adding else [r for r in held if r != role_id]
        gm.save(update_fields=["role_ids"])
        if adding:
            done.added += 1
        else:
            done.removed += 1
