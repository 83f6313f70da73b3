"""What a worker-side handler receives and returns.

The gateway turns each Discord interaction into a plain JSON payload (see
``discord_gateway.payloads``); the dispatcher rebuilds it as an :class:`Interaction` and
hands it to the handler registered for its route (see ``core.interactions.routing``). A
handler returns a :class:`Reply` (a message only the member sees, or the deferred answer
to a slash command) or an :class:`Update` (a new version of the message a button sits
on), or raises ``core.errors.RuleError`` with a sentence for the member.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.permissions import ADMINISTRATOR

PAYLOAD_VERSION = 1


def route_of(kind: str | None, command: str, custom_id: str) -> str:
    """What handlers are registered under: the command path, or "<domain>:<action>" of a custom_id."""
    if kind == "command":
        return command
    return ":".join(custom_id.split(":")[:2])


@dataclass(frozen=True)
class Actor:
    """The member (or, in a DM, the user) who triggered the interaction."""

    id: int
    username: str
    display_name: str = ""
    nick: str = ""
    role_ids: tuple[int, ...] = ()
    permissions: int = 0  # the member's permissions in the channel, as Discord computed them

    def has_permission(self, bits: int) -> bool:
        """Whether the member holds every permission in ``bits`` (administrators hold all)."""
        return bool(self.permissions & ADMINISTRATOR) or self.permissions & bits == bits


@dataclass(frozen=True)
class Interaction:
    """One interaction, rebuilt from the gateway's payload. Plain data only.

    ``kind`` is "command", "component" or "modal". ``route`` is what handlers are
    registered under: the command path ("event create"), or the first two parts of a
    component's or modal's custom_id ("poll:vote" for "poll:vote:12:3"); the route's
    ``CustomId`` template parses the rest into the handler's keyword arguments.
    """

    id: int
    token: str
    application_id: int
    kind: str
    actor: Actor
    guild_id: int | None = None
    guild_name: str = ""
    channel_id: int | None = None
    locale: str = "en-US"
    command: str = ""
    options: dict = field(default_factory=dict)
    custom_id: str = ""
    values: tuple[str, ...] = ()
    fields: dict = field(default_factory=dict)
    message_id: int | None = None
    ephemeral: bool = True
    created_at: float = 0.0  # from the interaction's snowflake, Unix seconds
    acked_at: float = 0.0  # when the gateway's answer to Discord completed, Unix seconds

    @property
    def route(self) -> str:
        return route_of(self.kind, self.command, self.custom_id)

    @classmethod
    def from_payload(cls, payload: dict) -> Interaction:
        """Rebuild from the gateway's JSON payload (``discord_gateway.payloads.build``)."""
        member = payload["member"]
        return cls(
            id=int(payload["id"]),
            token=payload["token"],
            application_id=int(payload["application_id"]),
            kind=payload["kind"],
            actor=Actor(
                id=int(member["id"]),
                username=member.get("username", ""),
                display_name=member.get("display_name") or "",
                nick=member.get("nick") or "",
                role_ids=tuple(int(r) for r in member.get("roles", ())),
                permissions=int(member.get("permissions") or 0),
            ),
            guild_id=_int_or_none(payload.get("guild_id")),
            guild_name=payload.get("guild_name") or "",
            channel_id=_int_or_none(payload.get("channel_id")),
            locale=payload.get("locale") or "en-US",
            command=payload.get("command") or "",
            options=dict(payload.get("options") or {}),
            custom_id=payload.get("custom_id") or "",
            values=tuple(payload.get("values") or ()),
            fields=dict(payload.get("fields") or {}),
            message_id=_int_or_none(payload.get("message_id")),
            ephemeral=bool(payload.get("ephemeral", True)),
            created_at=float(payload.get("created_at") or 0.0),
            acked_at=float(payload.get("acked_at") or 0.0),
        )


def _int_or_none(value) -> int | None:
    return None if value in (None, "") else int(value)


@dataclass
class Reply:
    """A message for the member.

    For a slash command it replaces the deferred "thinking…" answer (public or ephemeral
    as the command was deferred). For a button or a modal it is sent as a follow-up, visible
    to the member only unless ``ephemeral=False``. ``embeds`` and ``components`` are Discord
    JSON (see ``core.interactions.components`` for builders).
    """

    content: str = ""
    embeds: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    ephemeral: bool = True
    allowed_mentions: dict | None = None  # Discord's; None: Discord's default (every mention pings)
    # It holds a secret shown once (a calendar link): the command log forgets it once sent.
    secret: bool = False

    def message(self) -> dict:
        data: dict = {"content": self.content, "embeds": self.embeds, "components": self.components}
        if self.ephemeral:
            data["flags"] = 64
        if self.allowed_mentions is not None:
            data["allowed_mentions"] = self.allowed_mentions
        return data


@dataclass
class Update:
    """A new version of the message whose button or select was used."""

    content: str | None = None
    embeds: list[dict] | None = None
    components: list[dict] | None = None
    secret: bool = False  # as ``Reply.secret``

    def message(self) -> dict:
        data = {"content": self.content, "embeds": self.embeds, "components": self.components}
        return {key: value for key, value in data.items() if value is not None}
