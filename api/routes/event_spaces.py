"""An event's thread, private channel and attendee role in the API (``events.spaces``).

Read as ``space`` on every event; written with ``space`` on create and update, through
``events.spaces.configure`` without asking Discord (the web holds no bot token): a category
must be one Muster knows in the guild, and the sync checks the bot's permissions before it
makes anything (a problem shows in ``space.problem``). Refusals of what was sent are 422
naming the field under ``space``; refusals because of what is already made are 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from api.errors import ApiError, rule_refusal
from api.routes.common import snowflake
from api.schemas import Snowflake
from core.errors import RuleError
from events import spaces
from events.models import Event, EventSpace, SpaceKind

Kind = Literal["none", "thread", "channel"]
KIND_HELP = (
    "thread: a thread under the event's post; channel: a private channel (in category_id) whose "
    "overwrites admit exactly the members going; none. A thread or channel already made stays."
)
WAITLIST_HELP = "The waitlist is let in too (and holds the attendee role)."
CATEGORY_HELP = (
    "The private channel's category: one Muster knows in this guild (chosen once in Discord with /event "
    "edit space_category: or /event defaults). null: none."
)
ROLE_HELP = "Members going get a temporary, mentionable role, removed after the event."
# Which field a refusal of configure is about (first match wins); the others concern what is made (409).
INPUT_CLUES = (("category", "category_id"), ("thread, channel or none", "kind"))


class SpaceIn(Schema):
    """Only the fields sent change."""

    kind: Kind | None = Field(None, description=KIND_HELP)
    include_waitlist: bool | None = Field(None, description=WAITLIST_HELP)
    category_id: Snowflake | None = Field(None, description=CATEGORY_HELP)
    attendee_role: bool | None = Field(None, description=ROLE_HELP)


class SpaceOut(Schema):
    kind: Kind = Field(description=KIND_HELP)
    include_waitlist: bool = Field(description=WAITLIST_HELP)
    category_id: Snowflake | None = Field(description=CATEGORY_HELP)
    attendee_role: bool = Field(description=ROLE_HELP)
    channel_id: Snowflake | None = Field(description="The thread or private channel, once made in Discord.")
    role_id: Snowflake | None = Field(description="The attendee role, once made in Discord.")
    cleaned_up_at: datetime | None = Field(description="When the thread was archived and the channel and role deleted.")
    problem: str = Field(description="Why Muster could not make them (a permission to grant); empty when none.")

    @staticmethod
    def of(event: Event) -> dict:
        space = getattr(event, "space", None) or EventSpace(kind=SpaceKind.NONE)
        return {
            "kind": space.kind,
            "include_waitlist": space.include_waitlist,
            "category_id": snowflake(space.category_id),
            "attendee_role": space.attendee_role,
            "channel_id": snowflake(space.channel_id),
            "role_id": snowflake(space.role_id),
            "cleaned_up_at": space.closed_at,
            "problem": space.problem,
        }


def configure(event_id: int, sent: SpaceIn) -> None:
    """Apply the space fields sent (in the caller's transaction); RuleError as the API answers it."""
    fields = sent.model_fields_set
    for name in ("kind", "include_waitlist", "attendee_role"):
        if name in fields and getattr(sent, name) is None:
            raise ApiError(
                422,
                f"The request is not valid: body.space.{name}: may not be null",
                [{"loc": ["body", "space", name], "msg": "may not be null", "type": "value_error"}],
            )
    category = None
    if "category_id" in fields:
        category = spaces.NO_CATEGORY if sent.category_id is None else int(sent.category_id)
    try:
        spaces.configure(
            event_id,
            member_id=None,
            kind=sent.kind,
            include_waitlist=sent.include_waitlist,
            category_id=category,
            attendee_role=sent.attendee_role,
            check=False,
        )
    except RuleError as error:
        words = error.message.lower()
        name = next((field for clue, field in INPUT_CLUES if clue in words), None)
        if name is None:
            raise rule_refusal(error) from None
        raise rule_refusal(error, status=422, loc=["body", "space", name]) from None
