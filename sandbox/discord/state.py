"""The sandbox's state: configuration, the world's records, and change notification."""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass, field

from . import payloads
from .endpoint import Endpoint
from .faults import FaultRegistry
from .gateway import GatewayHub
from .gateway import intents as I
from .models import Channel, Guild, Interaction, Member, Message, User
from .oauth2 import OAuth2State
from .ratelimit import RateLimits
from .snowflake import SnowflakeGenerator, shard_for
from .stats import Stats


@dataclass
class Config:
    """Everything a test or benchmark may tune; ``create_app`` keyword arguments land here."""

    bot_token: str
    application_id: int | None = None
    bot_username: str = "Muster"
    interaction_deadline_s: float = 3.0
    token_ttl_s: float = 900.0
    heartbeat_interval_ms: int = 41250
    # Discord's ACK comes back after a network round trip; answering a loopback heartbeat at
    # once lets the ACK overtake discord.py's record of the send ("Can't keep up ... behind").
    heartbeat_ack_delay_ms: int = 20
    resume_window_s: float = 120.0
    recommended_shards: int = 1
    max_concurrency: int = 1
    privileged_intents: list[str] = field(default_factory=list)
    global_limit_per_s: float = 50.0
    route_limits: dict[str, tuple[int, float]] = field(default_factory=dict)


class DiscordState:
    """All records and services of one sandbox; ``app["state"]`` holds it.

    Everything runs on the server's event loop, so changes need no locks. Each change calls
    ``changed()``, which wakes the control API's long-polls.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.ids = SnowflakeGenerator()
        self.hub = GatewayHub(resume_window_s=config.resume_window_s)
        self.limits = RateLimits(config.global_limit_per_s, config.route_limits)
        self.faults = FaultRegistry()
        self.stats = Stats()
        # The application's key pair and Interactions Endpoint URL (None: gateway delivery);
        # application settings, so a reset keeps them.
        self.endpoint = Endpoint()
        self.application_id = config.application_id or self.ids.next()
        self.privileged_intents = 0
        for name in config.privileged_intents:
            self.privileged_intents |= I.PRIVILEGED_BY_NAME[name]
        self._version = 0
        self._changed: asyncio.Event | None = None
        self.clear()

    def clear(self) -> None:
        """Forget the world (guilds, users, messages, interactions, commands); keep the bot."""
        # A bot user's id is its application's id, as for every app made since 2019.
        self.bot = User(self.application_id, self.config.bot_username, bot=True)
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.dm_channels: dict[int, int] = {}
        self.interactions: dict[int, Interaction] = {}
        self.interaction_tokens: dict[str, int] = {}
        # (user id, modal custom_id) -> the interaction that last opened that modal for them.
        self.open_modals: dict[tuple[int, str], int] = {}
        self.global_commands: list[dict] = []
        self.guild_commands: dict[int, list[dict]] = {}
        # The OAuth2 application (registered through the control API), codes and user tokens.
        self.oauth2 = OAuth2State()
        self.changed()

    # --- change notification -------------------------------------------------------------

    def changed(self) -> None:
        """Wake everything waiting in ``wait_until``."""
        self._version += 1
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_until(self, predicate, timeout: float):
        """Return ``predicate()`` once it is truthy, or None after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if self._changed is None:
                self._changed = asyncio.Event()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate() or None

    # --- identity ----------------------------------------------------------------------------

    def token_is_valid(self, token: str | None) -> bool:
        """Whether ``token`` is the bot's current token (constant-time comparison)."""
        return isinstance(token, str) and hmac.compare_digest(token, self.config.bot_token)

    def application_flags(self) -> int:
        """Application flags, including those that say which privileged intents are on."""
        flags = 0
        for intent, flag in I.APP_FLAG_FOR_INTENT.items():
            if self.privileged_intents & intent:
                flags |= flag
        return flags

    def bot_user_payload(self) -> dict:
        """The bot as /users/@me and READY describe it."""
        data = payloads.user(self.bot)
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})
        return data

    # --- lookups used by the gateway and REST ----------------------------------------------

    def guilds_of_shard(self, shard_id: int, num_shards: int) -> list[Guild]:
        """Guilds the bot is in that belong to ``shard_id``."""
        return [g for g in self.guilds.values() if g.has_bot and shard_for(g.id, num_shards) == shard_id]

    def guild_create_payload(self, guild: Guild, intents: int, *, joined: bool = False) -> dict:
        """GUILD_CREATE for a session with ``intents`` (``joined``: the bot was just added)."""
        return payloads.guild_create(
            guild,
            self.channels,
            self.users,
            bot_id=self.bot.id,
            presences=bool(intents & I.GUILD_PRESENCES),
            joined=joined,
        )

    def member_payload(self, member: Member, **kwargs) -> dict:
        """A member object with its user."""
        return payloads.member(member, self.users, **kwargs)

    def message_payload(self, message: Message, *, gateway: bool = False) -> dict:
        """A message object as REST (or, with ``gateway``, as the gateway) sends it."""
        guild = self.guilds.get(message.guild_id) if message.guild_id else None
        started = self.channels.get(message.id)  # a thread started from it shares its id
        started = started if started is not None and started.is_thread else None
        return payloads.message(message, self.users, guild, gateway=gateway, started_thread=started)

    def channel_payload(self, channel: Channel) -> dict:
        """A channel object."""
        return payloads.channel(channel, self.users)
