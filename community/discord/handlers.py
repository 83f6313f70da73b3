"""Worker-side handlers of /custom, /schedule and a guild's own /<name>.

Each reads the interaction, calls one service (``community.services``,
``community.schedules``) and says what happened.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from community import schedules, services
from community.discord import messages
from community.discord.messages import SAVE_FORM, SCHEDULE_EDIT_FORM, SCHEDULE_FORM
from community.models import CustomCommand, GuildCommandSync, Occurrence, ScheduledMessage
from community.responses import parse_fields
from community.schedules import ScheduleDraft
from community.services import CommandDraft, Use
from core.errors import RuleError
from core.interactions import Interaction, Reply, command, command_fallback, modal
from core.models import Guild
from core.permissions import organiser
from core.timeparse import day_first, describe, parse_local_time


def _run(interaction: Interaction, name: str) -> Reply:
    found = services.find_command(interaction.guild_id, name)
    if found is None:
        raise RuleError(f"This server has no custom command named {name.strip().lower()[:32]}; see /custom list.")
    use = Use(actor=interaction.actor, guild_name=interaction.guild_name, channel_id=interaction.channel_id)
    message = services.use_command(found, use, now=timezone.now())
    return Reply(
        content=message["content"],
        embeds=message["embeds"],
        ephemeral=found.private,
        allowed_mentions=message["allowed_mentions"],
    )


@command("custom run")
def run(interaction: Interaction) -> Reply:
    return _run(interaction, str(interaction.options.get("name") or ""))


@command_fallback()
def guild_command(interaction: Interaction) -> Reply:
    """A guild's /<name>: the custom command of that name."""
    return _run(interaction, interaction.command)


def _flag(text: str, current: bool) -> bool:
    return current if text == "" else text == "1"


def _roles(text: str, current: list[int], guild_id: int | None) -> tuple[int, ...]:
    """A role option: "" keeps what was, @everyone (the guild's id) clears it."""
    if text == "":
        return tuple(current)
    return () if int(text) == guild_id else (int(text),)


@modal(SAVE_FORM, allowed=organiser)
def save(
    interaction: Interaction, command_id: int, private: str, cooldown: str, slash: str, role: str, mention: str, colour
) -> Reply:
    """The submitted /custom create or /custom edit form; the options ride in its custom_id."""
    existing = None
    if command_id:
        existing = CustomCommand.objects.filter(id=command_id, guild_id=interaction.guild_id).first()
        if existing is None:
            raise RuleError("That custom command was deleted meanwhile; create it again with /custom create.")
    base = CommandDraft.of(existing) if existing else CommandDraft(name="", description="")
    fields = interaction.fields
    response = (fields.get("response") or "").strip()
    embed_title = (fields.get("embed_title") or "").strip()
    embed_fields = parse_fields(fields.get("embed_fields") or "")
    if embed_title or embed_fields:
        embed = {"title": embed_title, "description": response, "fields": embed_fields}
        old = base.embed or {}
        embed["colour"] = colour or old.get("colour")
        if old.get("image_url"):
            embed["image_url"] = old["image_url"]
        content = ""
    else:
        embed, content = {}, response
    if not cooldown.isdigit() and cooldown != "":
        raise RuleError("The cooldown must be a number of seconds.")
    draft = CommandDraft(
        name=fields.get("name") or "",
        description=fields.get("description") or "",
        content=content,
        embed=embed,
        private=_flag(private, base.private),
        allowed_role_ids=_roles(role, list(base.allowed_role_ids), interaction.guild_id),
        mention_role_ids=_roles(mention, list(base.mention_role_ids), interaction.guild_id),
        cooldown_seconds=int(cooldown) if cooldown else base.cooldown_seconds,
        slash_command=_flag(slash, base.slash_command),
    )
    now = timezone.now()
    if existing is None:
        guild = Guild.objects.get(id=interaction.guild_id)
        saved = services.create_command(guild, draft, created_by_id=interaction.actor.id, now=now)
        done = "Created"
    else:
        saved = services.update_command(existing, draft, now=now)
        done = "Saved"
    how = f"/custom run name:{saved.name}"
    if saved.slash_command:
        how += f" and, in a few seconds, /{saved.name}"
    return Reply(content=f"{done} the custom command **{saved.name}**: members run it with {how}.")


@command("custom delete", allowed=organiser)
def delete(interaction: Interaction) -> Reply:
    name = str(interaction.options.get("name") or "")
    found = services.find_command(interaction.guild_id, name)
    if found is None:
        raise RuleError(f"This server has no custom command named {name.strip().lower()[:32]}.")
    services.delete_command(found, now=timezone.now())
    return Reply(content=f"Deleted the custom command **{found.name}**.")


@command("custom list")
def list_commands(interaction: Interaction) -> Reply:
    commands = list(CustomCommand.objects.filter(guild_id=interaction.guild_id).order_by("name"))
    sync = GuildCommandSync.objects.filter(guild_id=interaction.guild_id).first()
    return Reply(content=messages.command_list(commands, sync))


# --- /schedule --------------------------------------------------------------------------


def _until(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleError(f"Write the end date as YYYY-MM-DD, e.g. 2027-06-30 (not {text[:20]!r}).") from None


def _schedule_draft(interaction: Interaction, base: ScheduleDraft, zone: ZoneInfo, *, now) -> ScheduleDraft:
    """The submitted form over ``base`` (the options and what the fields do not carry)."""
    fields = interaction.fields
    start = fields.get("start") or ""
    if not start.strip():
        raise RuleError("The schedule needs a first time.")
    starts_at = parse_local_time(start, zone, now=now, field="first time", day_first=day_first(interaction.guild_id))
    message = (fields.get("message") or "").strip()
    embed_title = (fields.get("embed_title") or "").strip()
    embed = {**base.embed, "title": embed_title, "description": message} if embed_title else {}
    return replace(
        base,
        starts_at=starts_at,
        content="" if embed_title else message,
        embed=embed,
        recurrence=schedules.parse_recurrence(fields.get("repeat")),
        ends_on=_until(fields.get("until") or ""),
    )


def _scheduled(schedule: ScheduledMessage, head: str) -> Reply:
    """``head`` ("... posts in <#1> daily, first <time>"), then the next five occurrences."""
    zone, first = ZoneInfo(schedule.timezone), schedule.next_occurrence_at
    plan = schedules.plan_of(schedule)
    following = [first, *schedules.upcoming(plan, after=first, count=4)]
    where = f"<#{schedule.channel_id}> {schedules.describe_recurrence(plan.recurrence)}"
    return Reply(
        content=head.format(id=schedule.id, where=where, first=describe(first, zone))
        + f" The next occurrences:\n{messages.occurrence_list(following)}"
    )


@modal(SCHEDULE_FORM, allowed=organiser)
def create_schedule(interaction: Interaction, channel_id: int, grace: str, mention: str) -> Reply:
    """The submitted /schedule create form; the reply shows the next five occurrences."""
    guild = Guild.objects.get(id=interaction.guild_id)
    now = timezone.now()
    base = ScheduleDraft(
        channel_id=channel_id or interaction.channel_id or 0,
        starts_at=now,
        grace_minutes=int(grace) if grace.isdigit() else 60,
        mention_role_ids=(int(mention),) if mention.isdigit() else (),
    )
    draft = _schedule_draft(interaction, base, ZoneInfo(guild.timezone), now=now)
    schedule = schedules.create_schedule(guild, draft, created_by_id=interaction.actor.id, now=now)
    return _scheduled(schedule, "Scheduled message **{id}** posts in {where}, first {first}.")


@modal(SCHEDULE_EDIT_FORM, allowed=organiser)
def edit_schedule(interaction: Interaction, schedule_id: int, channel_id: int, grace: str, mention: str) -> Reply:
    """The submitted /schedule edit form: the same rules as create; options left out keep their value."""
    schedule = ScheduledMessage.objects.filter(id=schedule_id, guild_id=interaction.guild_id).first()
    if schedule is None:
        raise RuleError("That scheduled message was deleted meanwhile; create it again with /schedule create.")
    now = timezone.now()
    base = ScheduleDraft(
        channel_id=channel_id or schedule.channel_id,
        starts_at=now,
        embed=dict(schedule.embed or {}),
        grace_minutes=int(grace) if grace.isdigit() else schedule.grace_minutes,
        mention_role_ids=_roles(mention, schedule.mention_role_ids, interaction.guild_id),
        timezone=schedule.timezone,
    )
    draft = _schedule_draft(interaction, base, ZoneInfo(schedule.timezone), now=now)
    saved = schedules.update_schedule(schedule, draft, now=now)
    return _scheduled(saved, "Saved scheduled message **{id}**: it posts in {where}, next {first}.")


@command("schedule list", allowed=organiser)
def list_schedules(interaction: Interaction) -> Reply:
    found = list(ScheduledMessage.objects.filter(guild_id=interaction.guild_id).order_by("status", "id")[:30])
    skipped = dict(
        ScheduledMessage.objects.filter(id__in=[s.id for s in found])
        .annotate(n=Count("occurrences", filter=Q(occurrences__outcome=Occurrence.Outcome.SKIPPED)))
        .values_list("id", "n")
    )
    return Reply(content=messages.schedule_list(found, skipped))


def _schedule(interaction: Interaction) -> ScheduledMessage:
    schedule_id = interaction.options.get("schedule")
    found = ScheduledMessage.objects.filter(id=int(schedule_id or 0), guild_id=interaction.guild_id).first()
    if found is None:
        raise RuleError("This server has no scheduled message with that number; see /schedule list.")
    return found


@command("schedule pause", allowed=organiser)
def pause(interaction: Interaction) -> Reply:
    schedule = _schedule(interaction)
    if not schedules.pause_schedule(schedule, now=timezone.now(), reason="paused by an organiser"):
        raise RuleError(f"Scheduled message {schedule.id} is {schedule.status} already.")
    return Reply(content=f"Paused scheduled message **{schedule.id}**; /schedule resume starts it again.")


@command("schedule resume", allowed=organiser)
def resume(interaction: Interaction) -> Reply:
    schedule = schedules.resume_schedule(_schedule(interaction), now=timezone.now())
    if schedule.next_occurrence_at is None:
        return Reply(content=f"Scheduled message **{schedule.id}** has no occurrence left; it is finished.")
    return Reply(content=f"Resumed scheduled message **{schedule.id}**: next post {describe_at(schedule)}.")


def describe_at(schedule: ScheduledMessage) -> str:
    return describe(schedule.next_occurrence_at, ZoneInfo(schedule.timezone))


@command("schedule delete", allowed=organiser)
def delete_schedule(interaction: Interaction) -> Reply:
    schedule = _schedule(interaction)
    number = schedule.id
    schedules.delete_schedule(schedule)
    return Reply(content=f"Deleted scheduled message **{number}**.")
