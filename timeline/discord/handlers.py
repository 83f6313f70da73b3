"""/timeline, run by workers; the rules are in ``timeline.services``."""

from __future__ import annotations

from django.utils import timezone

from core.interactions import Interaction, Reply, command
from core.markup import bold, escape, timestamp, truncate
from core.permissions import organiser
from timeline import services
from timeline.models import Item

NO_MENTIONS = {"parse": []}


def describe(item: Item) -> str:
    who = []
    if item.team_id:
        who.append(f"team {escape(item.team.name)}")
    who += [f"<@{m.id}>" for m in item.people.all()][:10]
    how = []
    if item.dm and who:
        how.append("DM")
    if item.post_in:
        how.append("posted in the team's thread" if item.post_in == Item.Post.TEAM else "posted in the event's thread")
    if item.prealert:
        how.append(f"pre-alert {int(item.prealert.total_seconds() // 60)} min before")
    when = timestamp(item.due_at, "f")
    if item.offset is not None:
        minutes = int(item.offset.total_seconds() // 60)
        when += f" (start {'+' if minutes >= 0 else '-'}{abs(minutes) // 60}h{abs(minutes) % 60:02d})"
    return (
        f"#{item.id} {when} {bold(item.title)}"
        + (f": {', '.join(who)}" if who else "")
        + (f" ({'; '.join(how)})" if how else "")
    )


@command("timeline add", allowed=organiser)
def add(interaction: Interaction) -> Reply:
    options, now = interaction.options, timezone.now()
    event = services.find_event(options["event"], interaction.guild_id)
    offset, due_at = services.read_when(options["at"], event, interaction.actor.id, now=now)
    member_ids = services.parse_members(options.get("members") or "")
    team_id = services.find_team(event, options.get("team"))
    post = options.get("post")
    if post is None:  # an item naming nobody is posted; one naming people is DMed
        post = "" if (member_ids or team_id) else Item.Post.EVENT
    draft = services.ItemDraft(
        title=options["title"],
        due_at=due_at,
        offset=offset,
        message=options.get("message") or "",
        member_ids=member_ids,
        team_id=team_id,
        dm=options.get("dm", True) is not False,
        post_in="" if post == "none" else post,
        prealert_minutes=options.get("prealert"),
    )
    item = services.add_item(event.id, interaction.guild_id, draft, created_by=interaction.actor.id)
    return Reply(content=f"Added to {bold(event.title)}: {describe(item)}", allowed_mentions=NO_MENTIONS)


@command("timeline list")
def list_items(interaction: Interaction) -> Reply:
    event = services.find_event(interaction.options["event"], interaction.guild_id)
    items = list(services.items_of(event.id)[:30])
    if not items:
        return Reply(content=f"{bold(event.title)} has no timeline yet (organisers: /timeline add).")
    lines = [f"Timeline of {bold(event.title)}:"] + [describe(i) for i in items]
    return Reply(content=truncate("\n".join(lines), 2000), allowed_mentions=NO_MENTIONS)


@command("timeline remove", allowed=organiser)
def remove(interaction: Interaction) -> Reply:
    title = services.remove_item(interaction.options["item"], interaction.guild_id)
    return Reply(content=f"Removed {bold(title)} from the timeline.")


@command("timeline shift", allowed=organiser)
def shift(interaction: Interaction) -> Reply:
    options = interaction.options
    record = services.shift(
        options["event"], interaction.guild_id, int(options["minutes"]), by=interaction.actor.id, now=timezone.now()
    )
    way = "later" if record.minutes > 0 else "earlier"
    return Reply(
        content=f"Moved {record.moved} item{'s' if record.moved != 1 else ''} {abs(record.minutes)} minutes {way}; "
        "everyone they concern is told."
    )
