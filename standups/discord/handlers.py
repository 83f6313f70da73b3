"""/standup and the prompt's buttons and form, run by workers; the rules are in ``standups.services``."""

from __future__ import annotations

from django.utils import timezone

from core.errors import RuleError
from core.interactions import Interaction, Reply, command, component, modal
from core.markup import escape
from core.models import Guild
from core.permissions import organiser
from standups import services
from standups.discord.messages import ANSWER_FORM, SKIP
from standups.models import Standup
from standups.services import StandupDraft

OFF = {"off", "none", "no", "-"}


def describe(standup: Standup) -> str:
    who = []
    if standup.role_id:
        who.append(f"<@&{standup.role_id}>")
    listed = list(standup.participants.values_list("member_id", flat=True))
    if listed:
        who.append(" ".join(f"<@{m}>" for m in listed[:20]) + (" …" if len(listed) > 20 else ""))
    when = f"{services.describe_days(standup.weekdays)} at {standup.ask_at:%H:%M} (each one's local time)"
    extra = ""
    if standup.remind_at:
        extra += f", reminder at {standup.remind_at:%H:%M}"
    if standup.cutoff_at:
        extra += f", cutoff and digest at {standup.cutoff_at:%H:%M}"
    paused = " **(paused)**" if standup.paused else ""
    return (
        f"**{escape(standup.title)}** (#{standup.id}){paused} in <#{standup.channel_id}>: {when}{extra}; "
        f"{' and '.join(who) or 'nobody'}; {len(standup.questions)} questions."
    )


def _clock(options: dict, name: str, what: str):
    typed = options.get(name)
    if typed is None:
        return services.UNSET
    if typed.strip().lower() in OFF:
        if name == "time":
            raise RuleError("A standup needs a time to ask at.")
        return None
    return services.parse_clock(typed, what)


def _changes(options: dict) -> dict:
    changes: dict = {}
    for name, field, what in (
        ("time", "ask_at", "time"),
        ("reminder", "remind_at", "reminder"),
        ("cutoff", "cutoff_at", "cutoff"),
    ):
        value = _clock(options, name, what)
        if value is not services.UNSET:
            changes[field] = value
    if options.get("channel"):
        changes["channel_id"] = int(options["channel"])
    if options.get("role"):
        changes["role_id"] = int(options["role"])
    if options.get("name") is not None:
        changes["name"] = options["name"]
    if options.get("days"):
        changes["weekdays"] = services.parse_days(options["days"])
    if options.get("questions"):
        changes["questions"] = services.parse_questions(options["questions"])
    return changes


@command("standup create", allowed=organiser)
def create(interaction: Interaction) -> Reply:
    options = interaction.options
    changes = _changes(options)
    draft = StandupDraft(channel_id=changes.pop("channel_id"))
    for field, value in changes.items():
        setattr(draft, field, value)
    draft.member_ids = services.parse_members(options.get("members") or "")
    guild = Guild.objects.get(id=interaction.guild_id)
    standup = services.create_standup(guild, draft, created_by=interaction.actor.id, now=timezone.now())
    return Reply(content=f"Created {describe(standup)}", allowed_mentions={"parse": []})


@command("standup edit", allowed=organiser)
def edit(interaction: Interaction) -> Reply:
    options = interaction.options
    changes = _changes(options)
    if options.get("members") is not None:
        typed = options["members"].strip()
        changes["member_ids"] = [] if typed in OFF else services.parse_members(typed)
    if not changes:
        raise RuleError("Nothing to change: give at least one option.")
    standup = services.edit_standup(options["standup"], interaction.guild_id, **changes)
    return Reply(content=f"Updated {describe(standup)}", allowed_mentions={"parse": []})


@command("standup pause", allowed=organiser)
def pause(interaction: Interaction) -> Reply:
    standup = services.set_paused(interaction.options["standup"], interaction.guild_id, True)
    return Reply(content=f"Paused {escape(standup.title)}: nobody is asked until it is resumed.")


@command("standup resume", allowed=organiser)
def resume(interaction: Interaction) -> Reply:
    standup = services.set_paused(interaction.options["standup"], interaction.guild_id, False)
    return Reply(content=f"Resumed {escape(standup.title)}.")


@command("standup delete", allowed=organiser)
def delete(interaction: Interaction) -> Reply:
    title = services.delete_standup(interaction.options["standup"], interaction.guild_id)
    return Reply(content=f"Deleted {escape(title)} and its history.")


@command("standup list")
def list_standups(interaction: Interaction) -> Reply:
    standups = Standup.objects.filter(guild_id=interaction.guild_id).order_by("id")[:20]
    lines = [describe(s) for s in standups]
    content = "\n".join(lines) if lines else "This server has no standups yet (organisers: /standup create)."
    return Reply(content=content[:2000], allowed_mentions={"parse": []})


@command("standup skip")
def skip(interaction: Interaction) -> Reply:
    member_id, now = interaction.actor.id, timezone.now()
    chosen = interaction.options.get("standup")
    if chosen is None:
        mine = services.standups_of(interaction.guild_id, member_id)
        if not mine:
            raise RuleError("You do not take part in any standup of this server.")
        if len(mine) > 1:
            raise RuleError("You take part in several standups: say which one with the standup option.")
        chosen = mine[0].id
    checkin = services.skip_today(chosen, interaction.guild_id, member_id, now=now)
    return Reply(content=f"You skip {escape(checkin.standup.title)} today ({checkin.local_date:%A %d %B}).")


@component(SKIP)
def skip_from_prompt(interaction: Interaction, checkin_id: int) -> Reply:
    checkin = services.skip_checkin(checkin_id, interaction.actor.id, now=timezone.now())
    return Reply(content=f"You skip {escape(checkin.standup.title)} today ({checkin.local_date:%A %d %B}).")


@modal(ANSWER_FORM)
def answered(interaction: Interaction, checkin_id: int) -> Reply:
    member_id, now = interaction.actor.id, timezone.now()
    first = services.checkin_of(checkin_id, member_id).answered_at is None
    fields = interaction.fields
    texts = [fields.get(f"a{i}", "") for i in range(services.MAX_QUESTIONS)]
    checkin = services.answer(checkin_id, member_id, texts, now=now)
    if checkin.standup.cutoff_at is not None:
        where = "They go into the digest at the cutoff; you may change them until then."
    elif first:
        where = f"They are posted in <#{checkin.standup.channel_id}>; answer again today to edit the post."
    else:
        where = "The post is edited."
    return Reply(content=f"Thanks, your answers for {checkin.local_date:%A %d %B} are saved. {where}")
