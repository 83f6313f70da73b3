"""Custom commands: CRUD through ``community.services``, with the same rules as /custom.

A name another command of the guild already has is 409; any other refusal of what was
sent (a reserved name, a response too long, a bad colour) is 422 with the sentence.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from api import idempotency
from api.errors import ApiError, rule_refusal
from api.routes.common import guild_of
from api.schemas import Error, Page, PageQuery, RowId, Snowflake, page, responses, text
from community import services
from community.models import CustomCommand
from community.services import CommandDraft
from core.errors import RuleError
from core.models import Guild

router = Router(tags=["custom commands"])
Roles = Annotated[list[Snowflake], Field(max_length=25)]
TAKEN = "already has a custom command named"


class EmbedField(Schema):
    name: text(256)
    value: text(1024)


class Embed(Schema):
    """One embed: a title, a description or fields (at most 5), with a colour and an image."""

    title: text(256) = ""
    description: text(4096) = ""
    colour: Annotated[int, Field(ge=0, le=0xFFFFFF)] | text(7) | None = Field(
        None, description='A number or a hex value such as "#5865F2".'
    )
    fields: Annotated[list[EmbedField], Field(max_length=25)] = []
    image_url: text(2048) = ""


class EmbedOut(Schema):
    title: str = ""
    description: str = ""
    colour: int | None = None
    fields: list[EmbedField] = []
    image_url: str = ""


class CommandIn(Schema):
    name: text(40) = Field(description="1 to 32 lowercase letters, digits, - or _; not one of Muster's commands.")
    description: text(100)
    content: text(2000) = Field("", description="The text answer (placeholders such as {member} are filled in).")
    embed: Embed | None = None
    private: bool = False
    allowed_role_ids: Roles = Field([], description="Only these roles may run it (empty: everyone).")
    mention_role_ids: Roles = Field([], description="Roles the answer may ping.")
    cooldown_seconds: Annotated[int, Field(ge=0, le=86_400)] = 0
    slash_command: bool = Field(False, description="Also register it as the guild command /<name>.")


class CommandPatch(Schema):
    """Only the fields sent change."""

    name: text(40) | None = None
    description: text(100) | None = None
    content: text(2000) | None = None
    embed: Embed | None = None
    private: bool | None = None
    allowed_role_ids: Roles | None = None
    mention_role_ids: Roles | None = None
    cooldown_seconds: Annotated[int, Field(ge=0, le=86_400)] | None = None
    slash_command: bool | None = None


class CommandOut(Schema):
    id: int
    name: str
    description: str
    content: str
    embed: EmbedOut | None
    private: bool
    allowed_role_ids: list[Snowflake]
    mention_role_ids: list[Snowflake]
    cooldown_seconds: int
    slash_command: bool
    slash_registered_at: datetime | None = Field(description="When Discord accepted /<name>.")
    slash_error: str = Field(description="Why /<name> is not registered, if it is not.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def of(command: CustomCommand) -> dict:
        return {
            **{name: getattr(command, name) for name in ("id", "name", "description", "content", "private")},
            **{name: getattr(command, name) for name in ("cooldown_seconds", "slash_command", "slash_registered_at")},
            "embed": command.embed or None,
            "allowed_role_ids": [str(role) for role in command.allowed_role_ids],
            "mention_role_ids": [str(role) for role in command.mention_role_ids],
            "slash_error": command.slash_error,
            "created_at": command.created_at,
            "updated_at": command.updated_at,
        }


def embed_of(embed: Embed | None) -> dict:
    return {} if embed is None else embed.model_dump(exclude_defaults=True)


def refusal(error: RuleError) -> ApiError:
    if TAKEN in error.message:
        return rule_refusal(error, status=409)
    return rule_refusal(error, status=422, loc=["body"])


def find(guild: Guild, command_id: int) -> CustomCommand:
    command = CustomCommand.objects.filter(guild=guild, id=command_id).first()
    if command is None:
        raise ApiError(404, "There is no such custom command in this guild.")
    return command


def _roles(ids: list[str]) -> tuple[int, ...]:
    return tuple(int(role) for role in ids)


@router.get("/guilds/{guild_id}/custom-commands", response=responses({200: Page[CommandOut]}), summary="List")
def list_commands(request: HttpRequest, guild_id: RowId, query: Query[PageQuery]):
    rows = CustomCommand.objects.filter(guild=guild_of(request, guild_id)).order_by("name", "id")
    return page(rows, query, CommandOut.of)


@router.get("/guilds/{guild_id}/custom-commands/{command_id}", response=responses({200: CommandOut}), summary="Get")
def get_command(request: HttpRequest, guild_id: RowId, command_id: RowId):
    return CommandOut.of(find(guild_of(request, guild_id), command_id))


@router.post(
    "/guilds/{guild_id}/custom-commands",
    response=responses({201: CommandOut, 409: Error}),
    summary="Create a custom command (as /custom create does)",
)
def create_command(request: HttpRequest, response: HttpResponse, guild_id: RowId, data: CommandIn):
    guild = guild_of(request, guild_id)

    def work():
        draft = CommandDraft(
            **data.model_dump(include={"name", "description", "content", "private", "cooldown_seconds"}),
            embed=embed_of(data.embed),
            allowed_role_ids=_roles(data.allowed_role_ids),
            mention_role_ids=_roles(data.mention_role_ids),
            slash_command=data.slash_command,
        )
        try:
            command = services.create_command(guild, draft, now=timezone.now())
        except RuleError as error:
            raise refusal(error) from None
        return 201, CommandOut.model_validate(CommandOut.of(command)).model_dump(mode="json")

    return Status(*idempotency.once(request, response, work))


@router.patch(
    "/guilds/{guild_id}/custom-commands/{command_id}",
    response=responses({200: CommandOut, 409: Error}),
    summary="Change a custom command (only the fields sent)",
)
def update_command(request: HttpRequest, guild_id: RowId, command_id: RowId, data: CommandPatch):
    command = find(guild_of(request, guild_id), command_id)
    sent = {name for name in data.model_fields_set if getattr(data, name) is not None or name == "embed"}
    changes = {name: getattr(data, name) for name in sent}
    if "embed" in changes:
        changes["embed"] = embed_of(changes["embed"])
    for name in ("allowed_role_ids", "mention_role_ids"):
        if name in changes:
            changes[name] = _roles(changes[name])
    if not changes:
        raise ApiError(422, "Nothing to change: send at least one field.")
    try:
        saved = services.update_command(command, replace(CommandDraft.of(command), **changes), now=timezone.now())
    except RuleError as error:
        raise refusal(error) from None
    return CommandOut.of(saved)


@router.delete(
    "/guilds/{guild_id}/custom-commands/{command_id}",
    response=responses({204: None}),
    summary="Delete a custom command (a registered /<name> is removed from Discord shortly after)",
)
def delete_command(request: HttpRequest, guild_id: RowId, command_id: RowId):
    services.delete_command(find(guild_of(request, guild_id), command_id), now=timezone.now())
    return Status(204, None)
