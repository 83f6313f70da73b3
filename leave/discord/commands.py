"""/leave, declared for the gateway; the work happens in ``leave.discord.handlers``.

The approver's Decline button opens the reason form (``DECLINE_CLICK``, a ``ClickForm``):
the gateway opens it, since a form must be the first answer to a click.
"""

from __future__ import annotations

import discord
from discord import app_commands

from core.interactions.declare import ClickForm, Form, FormLayout, TextField, forward
from leave.discord.messages import DECLINE, DECLINE_FORM
from leave.models import DEFAULT_TYPES, LeaveRequest, LeaveType

group = app_commands.Group(name="leave", description="Leave: requests, balances, who is away", guild_only=True)

TypeName = app_commands.Range[str, 1, 40]
TypedDate = app_commands.Range[str, 1, 40]
Note = app_commands.Range[str, 1, 300]
RequestId = app_commands.Range[int, 1, 2**53 - 1]
HALVES = [
    app_commands.Choice(name="Morning", value="morning"),
    app_commands.Choice(name="Afternoon", value="afternoon"),
]
WHEN = [app_commands.Choice(name="Today", value="today"), app_commands.Choice(name="This week", value="week")]

DECLINE_FIELDS = (
    TextField(
        "reason", "Why (the member is told)", style="paragraph", max_length=300, placeholder="We are short that week"
    ),
)
DECLINE_LAYOUT = FormLayout(DECLINE_FORM, "Decline the leave request", DECLINE_FIELDS)


async def decline_form(parts: dict, member_id: int) -> Form:
    """Decline's reason form, for the request the button names (its handler checks who may decide)."""
    return DECLINE_LAYOUT.build(**parts)


DECLINE_CLICK = ClickForm(DECLINE, DECLINE_FORM, decline_form)


async def type_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's active leave types (the defaults before its first use)."""
    typed = (current or "").strip().lower()
    types = LeaveType.objects.filter(guild_id=interaction.guild_id, active=True).order_by("position", "name")
    names = [name async for name in types.values_list("name", flat=True)[:25]]
    if not names and not await LeaveType.objects.filter(guild_id=interaction.guild_id).aexists():
        names = [fields["name"] for fields in DEFAULT_TYPES]
    return [app_commands.Choice(name=name, value=name) for name in names if typed in name.lower()][:25]


async def request_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[int]]:
    """The member's own requests that may still be cancelled."""
    mine = (
        LeaveRequest.objects.filter(
            guild_id=interaction.guild_id,
            member_id=interaction.user.id,
            status__in=(LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED),
        )
        .select_related("leave_type")
        .order_by("-start")
    )
    found = [request async for request in mine[:25]]
    typed = (current or "").strip().lower()
    return [
        app_commands.Choice(
            name=f"#{r.id} {r.leave_type.name} {r.start:%Y-%m-%d} to {r.end:%Y-%m-%d} ({r.status})"[:100], value=r.id
        )
        for r in found
        if typed in f"{r.id} {r.leave_type.name}".lower()
    ]


@group.command(name="request", description="Ask for leave: from and to are dates (2026-12-24, friday, dec 24)")
@app_commands.rename(from_="from")
@app_commands.describe(
    type="The kind of leave",
    from_="The first day (your time zone)",
    to="The last day (the same day for one day or a half day)",
    half="Only a morning or an afternoon (one day)",
    note="A note for the approvers",
)
@app_commands.autocomplete(type=type_choices)
@app_commands.choices(half=HALVES)
async def request(
    interaction: discord.Interaction,
    type: TypeName,
    from_: TypedDate,
    to: TypedDate,
    half: str | None = None,
    note: Note | None = None,
):
    await forward(interaction)


@group.command(name="balance", description="Your leave balances: taken, waiting, left")
@app_commands.describe(year="The year (default: this year)")
async def balance(interaction: discord.Interaction, year: app_commands.Range[int, 2000, 2100] | None = None):
    await forward(interaction)


@group.command(name="mine", description="Your leave requests that are waiting or still ahead")
async def mine(interaction: discord.Interaction):
    await forward(interaction)


@group.command(name="cancel", description="Cancel a request, or approved leave that has not begun")
@app_commands.describe(request="The request (see /leave mine)")
@app_commands.autocomplete(request=request_choices)
async def cancel(interaction: discord.Interaction, request: RequestId):
    await forward(interaction)


@group.command(name="who", description="Who is away today or this week")
@app_commands.choices(when=WHEN)
async def who(interaction: discord.Interaction, when: str | None = None):
    await forward(interaction)
