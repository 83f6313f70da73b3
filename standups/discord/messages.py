"""How standups look in Discord: the prompt DM and its form, the reminder, the posts and the digest."""

from __future__ import annotations

from datetime import date

from core.interactions import CustomId
from core.interactions.components import button, row
from core.interactions.declare import Form, TextField
from core.markup import escape, escape_within, truncate
from core.models import OutboundMessage
from core.outbox import Outgoing
from core.refresh import Rendered, renderer
from standups.models import Checkin, Digest, Standup

ANSWER = CustomId("standup:open:{checkin_id:int}")  # the prompt's button: the gateway opens the form
ANSWER_FORM = CustomId("standup:answer:{checkin_id:int}")
SKIP = CustomId("standup:skip:{checkin_id:int}")
ANSWER_KIND = "standup-answer"
COLOUR = 0x4F8A8B
NO_MENTIONS = {"parse": []}
FIELD_LIMIT = 1024
DIGEST_EMBED_BUDGET = 5500  # of Discord's 6000 characters of embeds per message
STATUS_LINES = (
    (Checkin.Status.AWAY, "On leave"),
    (Checkin.Status.SKIPPED, "Skipped"),
    (Checkin.Status.ASKED, "No answer"),
    (Checkin.Status.UNREACHABLE, "Not asked (DMs off)"),
)


def prompt_key(standup_id: int, member_id: int, day: date) -> str:
    return f"standup-prompt:{standup_id}:{member_id}:{day.isoformat()}"


def _buttons(checkin_id: int) -> list[dict]:
    return [
        row(
            button("Answer", ANSWER.build(checkin_id=checkin_id), style="primary"),
            button("Skip today", SKIP.build(checkin_id=checkin_id)),
        )
    ]


def _where(standup: Standup) -> str:
    return f"in **{escape(standup.guild.name)}** (<#{standup.channel_id}>)"


def prompt(standup: Standup, checkin_id: int, member_id: int, day: date) -> Outgoing:
    questions = "\n".join(f"• {escape(q)}" for q in standup.questions)
    content = (
        f"Time for **{escape(standup.title)}** {_where(standup)}, {day:%A %d %B}:\n{questions}\n"
        "Click **Answer** to fill in the form."
    )
    return Outgoing(
        key=prompt_key(standup.id, member_id, day),
        member_id=member_id,
        guild_id=standup.guild_id,
        payload={"content": content, "components": _buttons(checkin_id), "allowed_mentions": NO_MENTIONS},
    )


def reminder(checkin: Checkin) -> Outgoing:
    standup = checkin.standup
    content = (
        f"A reminder: **{escape(standup.title)}** {_where(standup)} is waiting for your answers "
        f"for {checkin.local_date:%A %d %B}."
    )
    return Outgoing(
        key=f"standup-reminder:{checkin.id}",
        member_id=checkin.member_id,
        guild_id=standup.guild_id,
        payload={"content": content, "components": _buttons(checkin.id), "allowed_mentions": NO_MENTIONS},
    )


def answer_form(checkin: Checkin) -> Form:
    """The form of the standup's questions, filled in with what the member answered before."""
    before = {q: a for q, a in checkin.answers or []}
    fields = tuple(
        TextField(
            f"a{i}",
            truncate(question, 45),
            style="paragraph",
            required=False,
            max_length=1000,
            default=before.get(question) or None,
        )
        for i, question in enumerate(checkin.standup.questions)
    )
    title = truncate(f"{checkin.standup.title}, {checkin.local_date:%a %d %b}", 45)
    return Form(ANSWER_FORM.build(checkin_id=checkin.id), title, fields)


def _answers_embed(checkin: Checkin, *, edited: bool = True) -> dict:
    member = checkin.member
    fields = [
        {"name": truncate(q, 256), "value": escape_within(a, FIELD_LIMIT) if a else "—", "inline": False}
        for q, a in checkin.answers
    ]
    embed = {"author": {"name": truncate(str(member), 256)}, "fields": fields, "color": COLOUR}
    if edited and checkin.edited_at is not None:
        embed["footer"] = {"text": "edited"}
    return embed


def answer_message(checkin: Checkin) -> dict:
    content = f"<@{checkin.member_id}> answered **{escape(checkin.standup.title)}** for {checkin.local_date:%A %d %B}"
    return {"content": content, "embeds": [_answers_embed(checkin)], "allowed_mentions": NO_MENTIONS}


def answer_key(checkin: Checkin) -> str:
    return f"standup-answer:{checkin.id}"


def answer_post(checkin: Checkin) -> dict:
    """The arguments of ``outbox.enqueue`` for a member's answers, posted in the standup's channel."""
    return {
        "key": answer_key(checkin),
        "channel_id": checkin.standup.channel_id,
        "guild_id": checkin.standup.guild_id,
        "payload": answer_message(checkin),
        "refresh": (ANSWER_KIND, checkin.id),
    }


@renderer(ANSWER_KIND)
def render_answer(checkin_id: int) -> Rendered | None:
    """An answer edited after it was posted: the post shows what the member wrote last."""
    checkin = Checkin.objects.filter(id=checkin_id).select_related("standup", "member").first()
    if checkin is None:
        return None
    posted = (
        OutboundMessage.objects.filter(idempotency_key=answer_key(checkin), delivered_message_id__isnull=False)
        .values_list("delivered_channel_id", "channel_id", "delivered_message_id")
        .first()
    )
    if posted is None:
        return None
    delivered_channel, channel, message_id = posted
    return Rendered(delivered_channel or channel, message_id, answer_message(checkin))


def _size(embed: dict) -> int:
    return len(embed["author"]["name"]) + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])


def digest(digest_row: Digest, checkins: list[Checkin]) -> list[Outgoing]:
    """The day's digest: everyone's answers (one embed each, over as many messages as it takes),
    then who was on leave, skipped, or did not answer."""
    standup = digest_row.standup
    answered = [c for c in checkins if c.status == Checkin.Status.ANSWERED]
    head = f"**{escape(standup.title)}**, {digest_row.local_date:%A %d %B}: {len(answered)} answered"
    lines = []
    for status, label in STATUS_LINES:
        names = [c for c in checkins if c.status == status]
        if names:
            shown = ", ".join(
                f"<@{c.member_id}>" + (f" ({escape(c.away_reason)})" if c.away_reason else "") for c in names
            )
            lines.append(f"**{label}**: {shown}")
    messages: list[tuple[str, list[dict]]] = [(head, [])]
    used = 0
    for checkin in answered:
        embed = _answers_embed(checkin, edited=False)
        size = _size(embed)
        embeds = messages[-1][1]
        if len(embeds) == 10 or used + size > DIGEST_EMBED_BUDGET:
            messages.append((f"**{escape(standup.title)}**, {digest_row.local_date:%A %d %B} (continued)", []))
            used = 0
        messages[-1][1].append(embed)
        used += size
    footer = truncate("\n".join(lines), 2000)
    if footer:
        messages.append((footer, []))
    if not answered and not lines:
        messages = [(head + ": nobody took part.", [])]
    return [
        Outgoing(
            key=f"standup-digest:{digest_row.id}:{part}",
            channel_id=standup.channel_id,
            guild_id=standup.guild_id,
            payload={"content": truncate(content, 2000), "embeds": embeds, "allowed_mentions": NO_MENTIONS},
        )
        for part, (content, embeds) in enumerate(messages)
    ]
