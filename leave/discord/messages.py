"""How leave looks in Discord: the approvers' DM with its buttons, the outcome DMs, the
replies of /leave, and the daily "Away today" post.

DMs and posts go through the outbox in the caller's transaction, each with an idempotency
key naming one visible effect (``leave:<id>:ask:<approver>``, ``leave:<id>:decided``,
``leave:away:<guild>:<day>``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from core import outbox
from core.interactions import CustomId
from core.interactions.components import button, row
from core.markup import escape_within, truncate
from leave.models import LeaveRequest, day_text, days_text

# In an approver's DM: Approve decides at once; Decline opens the reason form (the gateway
# opens it: ``DECLINE`` in commands.py), whose submission is ``DECLINE_FORM``.
APPROVE = CustomId("leave:approve:{request_id:int}")
DECLINE = CustomId("leave:decline:{request_id:int}")
DECLINE_FORM = CustomId("leave:declined:{request_id:int}")
COLOUR_PENDING = 0xFEE75C
COLOUR_APPROVED = 0x57F287
COLOUR_DECLINED = 0xED4245


def request_line(request: LeaveRequest) -> str:
    """'Vacation, Monday 7 to Friday 11 December 2026: 5 days (approved)'."""
    return (
        f"{request.leave_type.name}, {request.span_text()}: {days_text(request.days)} "
        f"({request.get_status_display().lower()})"
    )


def request_embed(request: LeaveRequest, *, colour: int = COLOUR_PENDING) -> dict:
    fields = [
        {"name": "Type", "value": request.leave_type.name, "inline": True},
        {"name": "Days", "value": days_text(request.days), "inline": True},
        {"name": "When", "value": request.span_text(), "inline": False},
    ]
    if request.note:
        fields.append({"name": "Note", "value": escape_within(request.note, 1000), "inline": False})
    return {
        "title": f"Leave request #{request.id}",
        "description": f"<@{request.member_id}> asks for leave.",
        "color": colour,
        "fields": fields,
    }


def decision_buttons(request: LeaveRequest) -> list[dict]:
    return [
        row(
            button("Approve", APPROVE.build(request_id=request.id), style="success"),
            button("Decline", DECLINE.build(request_id=request.id), style="danger"),
        )
    ]


def ask_approvers(request: LeaveRequest, approver_ids: Iterable[int]) -> int:
    """One DM per approver with the request and its buttons; how many were written."""
    payload = {
        "content": f"A leave request in {truncate(request.guild.name, 100)} waits for a decision.",
        "embeds": [request_embed(request)],
        "components": decision_buttons(request),
        "allowed_mentions": {"parse": []},
    }
    messages = [
        outbox.Outgoing(
            key=f"leave:{request.id}:ask:{approver_id}",
            payload=payload,
            member_id=approver_id,
            guild_id=request.guild_id,
        )
        for approver_id in approver_ids
    ]
    return outbox.enqueue_many(messages)


def decided_message(request: LeaveRequest, *, by_you: bool) -> dict:
    """The approver's DM once decided: the request, its outcome, no buttons."""
    approved = request.status == LeaveRequest.Status.APPROVED
    who = "you" if by_you else f"<@{request.decided_by_id}>"
    if request.status == LeaveRequest.Status.CANCELLED:
        outcome = "Cancelled by the member."
    elif approved:
        outcome = f"Approved by {who}."
    else:
        outcome = f"Declined by {who}: {escape_within(request.decline_reason, 300)}"
    return {
        "content": outcome,
        "embeds": [request_embed(request, colour=COLOUR_APPROVED if approved else COLOUR_DECLINED)],
        "components": [],
    }


def tell_outcome(request: LeaveRequest) -> None:
    """The requester's DM: approved, or declined with the reason."""
    if request.status == LeaveRequest.Status.APPROVED:
        content = f"Your leave was approved: {request_line(request)}."
    else:
        reason = escape_within(request.decline_reason, 300)
        content = f"Your leave request was declined: {request_line(request)}. The reason: {reason}"
    outbox.enqueue(
        key=f"leave:{request.id}:decided",
        member_id=request.member_id,
        guild_id=request.guild_id,
        payload={"content": content, "allowed_mentions": {"parse": []}},
    )


def tell_cancelled(request: LeaveRequest, *, was: str, by_member: bool) -> None:
    """A cancelled request: by an organiser on the web, the member is told; by the member,
    the approver who approved it is (a request still waiting tells nobody)."""
    if not by_member:
        target, content = request.member_id, f"An organiser cancelled your leave: {request_line(request)}."
    elif was == LeaveRequest.Status.APPROVED and request.decided_by_id:
        target = request.decided_by_id
        content = f"<@{request.member_id}> cancelled approved leave: {request_line(request)}."
    else:
        return
    outbox.enqueue(
        key=f"leave:{request.id}:cancelled",
        member_id=target,
        guild_id=request.guild_id,
        payload={"content": content, "allowed_mentions": {"parse": []}},
    )


def away_lines(requests: Iterable[LeaveRequest]) -> list[str]:
    lines = []
    for request in requests:
        until = "" if request.start == request.end else f" until {request.end:%A} {request.end.day} {request.end:%B}"
        half = f" ({request.half})" if request.half else ""
        lines.append(f"<@{request.member_id}>: {request.leave_type.name}{half}{until}")
    return lines


def away_post(day: date, requests: list[LeaveRequest], holiday: str | None) -> dict:
    """The daily post: who is away today (names are mentions that ping nobody)."""
    lines = away_lines(requests)
    description = "\n".join(lines[:40]) or "Nobody is away today."
    if len(lines) > 40:
        description += f"\n…and {len(lines) - 40} more"
    if holiday:
        description = f"Public holiday: {escape_within(holiday, 100)}\n" + description
    embed = {"title": f"Away today, {day_text(day)}", "description": description, "color": COLOUR_PENDING}
    return {"content": "", "embeds": [embed], "allowed_mentions": {"parse": []}}
