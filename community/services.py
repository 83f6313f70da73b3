"""Custom commands: the rules, as plain functions that Discord handlers, the admin and the API call.

Signatures here are stable (the REST API builds on them):

- ``create_command(guild, draft, *, created_by_id=None, now) -> CustomCommand``
- ``update_command(command, draft, *, now) -> CustomCommand``
- ``delete_command(command, *, now) -> None``
- ``find_command(guild_id, name) -> CustomCommand | None``
- ``use_command(command, use, *, now) -> dict`` (the Discord message to answer with)
- ``check_draft(guild_id, draft, *, exclude_id=None) -> CommandDraft`` (validation only)

Every refusal is a ``RuleError`` with a sentence saying what to change.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from community import slash_sync, upcoming
from community.models import CommandUse, CustomCommand
from community.responses import Context, check_response, render
from core.errors import RuleError
from core.interactions import Actor
from core.interactions.declare import top_level
from core.models import Guild

# Discord's rule is ^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ (lowercase where a case
# exists); Muster keeps to the ASCII part of it, so every name types the same everywhere.
NAME = re.compile(r"^[-_a-z0-9]{1,32}$")
MAX_COOLDOWN_S = 24 * 3600
MAX_ROLES = 25


@dataclass(frozen=True)
class CommandDraft:
    """What an organiser typed for a custom command (create, or the whole of an edit)."""

    name: str
    description: str
    content: str = ""
    embed: dict = field(default_factory=dict)
    private: bool = False
    allowed_role_ids: tuple[int, ...] = ()
    mention_role_ids: tuple[int, ...] = ()
    cooldown_seconds: int = 0
    slash_command: bool = False

    @classmethod
    def of(cls, command: CustomCommand) -> CommandDraft:
        """The draft a stored command would be saved from (an edit starts here)."""
        return cls(
            name=command.name,
            description=command.description,
            content=command.content,
            embed=dict(command.embed),
            private=command.private,
            allowed_role_ids=tuple(command.allowed_role_ids),
            mention_role_ids=tuple(command.mention_role_ids),
            cooldown_seconds=command.cooldown_seconds,
            slash_command=command.slash_command,
        )


@dataclass(frozen=True)
class Use:
    """Who runs a custom command, and where."""

    actor: Actor
    guild_name: str
    channel_id: int | None


def reserved_names() -> frozenset[str]:
    """Muster's own top-level command names (/muster, /event, /standings ...): no custom command may take one."""
    return frozenset(entry.name for entry in top_level())


def check_draft(guild_id: int, draft: CommandDraft, *, exclude_id: int | None = None) -> CommandDraft:
    """The draft as it would be stored; ``RuleError`` for the first rule it breaks."""
    name = (draft.name or "").strip().lower().removeprefix("/")
    if not NAME.match(name):
        raise RuleError(
            f"{truncate_name(name)!r} cannot be a command name: "
            "use 1 to 32 lowercase letters, digits, - or _ (no spaces)."
        )
    if name in reserved_names():
        raise RuleError(f"/{name} is one of Muster's own commands; choose another name.")
    taken = CustomCommand.objects.filter(guild_id=guild_id, name=name)
    if exclude_id is not None:
        taken = taken.exclude(id=exclude_id)
    if taken.exists():
        raise RuleError(f"This server already has a custom command named {name}; edit it or choose another name.")
    description = (draft.description or "").strip()
    if not 1 <= len(description) <= 100:
        raise RuleError("The description must be 1 to 100 characters (Discord shows it in the command list).")
    content, embed = check_response(draft.content, draft.embed)
    if not 0 <= draft.cooldown_seconds <= MAX_COOLDOWN_S:
        raise RuleError("The cooldown must be between 0 and 86400 seconds (one day).")
    if len(draft.allowed_role_ids) > MAX_ROLES or len(draft.mention_role_ids) > MAX_ROLES:
        raise RuleError(f"Name at most {MAX_ROLES} roles.")
    return replace(
        draft,
        name=name,
        description=description,
        content=content,
        embed=embed,
        allowed_role_ids=tuple(dict.fromkeys(int(r) for r in draft.allowed_role_ids)),
        mention_role_ids=tuple(dict.fromkeys(int(r) for r in draft.mention_role_ids)),
    )


def truncate_name(name: str) -> str:
    return name if len(name) <= 40 else name[:39] + "…"


def create_command(guild: Guild, draft: CommandDraft, *, created_by_id: int | None = None, now: datetime):
    """Store a new custom command; a slash one is registered with Discord shortly after (debounced)."""
    checked = check_draft(guild.id, draft)
    try:
        with transaction.atomic():
            command = CustomCommand.objects.create(guild=guild, created_by_id=created_by_id, **_fields(checked))
    except IntegrityError:  # a concurrent create took the name between the check and the insert
        raise RuleError(
            f"This server already has a custom command named {checked.name}; edit it or choose another name."
        ) from None
    if command.slash_command:
        slash_sync.request_sync(guild.id, now=now)
    return command


def update_command(command: CustomCommand, draft: CommandDraft, *, now: datetime) -> CustomCommand:
    """Replace a command's definition; its guild's slash commands are registered again if that changed."""
    checked = check_draft(command.guild_id, draft, exclude_id=command.id)
    was = (command.slash_command, command.name, command.description)
    for name, value in _fields(checked).items():
        setattr(command, name, value)
    if not command.slash_command:
        command.slash_registered_at, command.slash_error = None, ""
    try:
        with transaction.atomic():
            command.save()
    except IntegrityError:
        raise RuleError(
            f"This server already has a custom command named {checked.name}; edit it or choose another name."
        ) from None
    if was != (command.slash_command, command.name, command.description) and (was[0] or command.slash_command):
        slash_sync.request_sync(command.guild_id, now=now)
    return command


def delete_command(command: CustomCommand, *, now: datetime) -> None:
    """Delete a command; a registered /<name> is removed from Discord shortly after."""
    guild_id, was_slash = command.guild_id, command.slash_command
    command.delete()
    if was_slash:
        slash_sync.request_sync(guild_id, now=now)


def find_command(guild_id: int | None, name: str) -> CustomCommand | None:
    """The guild's custom command of that name (as typed, any case), or None."""
    if guild_id is None:
        return None
    return CustomCommand.objects.filter(guild_id=guild_id, name=(name or "").strip().lower()).first()


def use_command(command: CustomCommand, use: Use, *, now: datetime) -> dict:
    """The answer to one use, as Discord message JSON; ``RuleError`` for a role or the cooldown."""
    allowed = set(command.allowed_role_ids)
    if allowed and not allowed & set(use.actor.role_ids):
        roles = ", ".join(f"<@&{r}>" for r in command.allowed_role_ids)
        raise RuleError(f"Only members with one of these roles can use {command.name}: {roles}.")
    if command.cooldown_seconds:
        _take_cooldown(command, use.actor.id, now=now)
    context = Context(
        guild_name=use.guild_name or str(command.guild),
        today=now.astimezone(upcoming.guild_zone(command.guild_id)).date(),
        channel_id=use.channel_id,
        member_id=use.actor.id,
        member_name=use.actor.nick or use.actor.display_name or use.actor.username,
        next_event=lambda: upcoming.next_event(command.guild_id, now=now),
    )
    return render(command.content, command.embed, context, mention_role_ids=command.mention_role_ids)


def _take_cooldown(command: CustomCommand, member_id: int, *, now: datetime) -> None:
    """Claim this member's use (compare-and-set on their one row, unique per command and member)."""
    cutoff = now - timedelta(seconds=command.cooldown_seconds)
    if CommandUse.objects.filter(command=command, member_id=member_id, used_at__lte=cutoff).update(used_at=now):
        return
    try:
        with transaction.atomic():
            CommandUse.objects.create(command=command, member_id=member_id, used_at=now)
        return
    except IntegrityError:
        pass  # the row exists and its use is recent (or a concurrent use just took it)
    last = CommandUse.objects.filter(command=command, member_id=member_id).values_list("used_at", flat=True).first()
    wait = command.cooldown_seconds if last is None else (last - cutoff).total_seconds()
    raise RuleError(f"You used {command.name} a moment ago; try again in {max(1, math.ceil(wait))} s.")


def _fields(draft: CommandDraft) -> dict:
    return {
        "name": draft.name,
        "description": draft.description,
        "content": draft.content,
        "embed": draft.embed,
        "private": draft.private,
        "allowed_role_ids": list(draft.allowed_role_ids),
        "mention_role_ids": list(draft.mention_role_ids),
        "cooldown_seconds": draft.cooldown_seconds,
        "slash_command": draft.slash_command,
    }
