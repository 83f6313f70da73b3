"""HTTP mode: the same command tree and callbacks as the gateway, answered in the HTTP response.

When Discord POSTs interactions to the Interactions Endpoint URL, the initial response is
the body of the HTTP answer rather than a callback request. The web process builds a
``discord.Interaction`` from the posted JSON exactly as discord.py does for a gateway
INTERACTION_CREATE, runs it through ``build_tree`` (the gateway's tree of every app's
``commands.py``) or ``InteractionAnswers.on_interaction``, and records what the callbacks
answer through ``CapturedResponse`` instead of sending it. So commands, autocomplete,
forms, refusals and *Edit and try again* behave as in the gateway, from one copy of them.

Forwarding keeps the gateway's order: the deferral first, then the task. The gateway's
callback request returns once Discord has the deferral; here the deferral is the response,
so the task is published only after web has written it (``publish_after``), or a fast
worker could edit a response Discord does not have yet, and lose its answer (404). When
publishing fails the member is told so by editing that response, as the gateway does.

The client never logs in: it holds no bot token and opens no connection. What it reads of
discord.py beyond the documented API is named where it is used.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence

import discord
from discord import app_commands
from django.conf import settings

from core.discord_api import DiscordClient, DiscordError
from core.discord_api.ratelimit import RateLimiter
from core.redis import get_redis
from discord_gateway import forwarding, payloads
from discord_gateway.client import InteractionAnswers, MusterTree, build_tree, not_about_voice
from discord_gateway.publish import Outcome, publish_blocking

log = logging.getLogger("discord_gateway")

EPHEMERAL = 64  # the message flag of a private answer


class CapturedResponse(discord.InteractionResponse):
    """An ``InteractionResponse`` whose answer becomes the HTTP body instead of a callback POST.

    It overrides the public methods Muster's callbacks and discord.py's tree answer with
    (``defer``, ``send_message``, ``send_modal``, ``autocomplete``, ``is_done``), building
    the bodies discord.py would post (Discord's interaction response types 4 to 9).
    """

    def __init__(self, parent: discord.Interaction):
        super().__init__(parent)
        self.interaction = parent
        self.body: dict | None = None
        self.payload: dict | None = None  # to publish once the body is sent (``forward``)

    def is_done(self) -> bool:
        return self.body is not None

    def _answer(self, kind: int, data: dict | None = None) -> None:
        if self.body is not None:
            raise discord.InteractionResponded(self.interaction)
        self.body = {"type": kind} if data is None else {"type": kind, "data": data}

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        # A command always "thinks"; a button, select or form does when it answers with a new message.
        if thinking or self.interaction.type is discord.InteractionType.application_command:
            self._answer(5, {"flags": EPHEMERAL} if ephemeral else None)
        else:
            self._answer(6)  # the deferred update of the component's message

    async def send_message(self, content: str | None = None, *, ephemeral: bool = False, **unsupported) -> None:
        if unsupported:  # nothing in Muster sends more from the gateway; refuse silently dropping it
            raise TypeError(f"HTTP mode answers with text only, not {sorted(unsupported)}")
        data = {"content": content or ""}
        if ephemeral:
            data["flags"] = EPHEMERAL
        self._answer(4, data)

    async def send_modal(self, modal: discord.ui.Modal, /) -> None:
        # Modal.to_dict() is what discord.py itself posts for send_modal.
        self._answer(9, modal.to_dict())

    async def autocomplete(self, choices: Sequence[app_commands.Choice]) -> None:
        # No translator is set on Muster's tree, so discord.py would post Choice.to_dict() too.
        self._answer(8, {"choices": [choice.to_dict() for choice in choices]})


class HttpInteraction(discord.Interaction):
    """A ``discord.Interaction`` from a POSTed body, whose ``response`` is captured."""

    def __init__(self, *, data: dict, state):
        super().__init__(data=data, state=state)
        self.captured = CapturedResponse(self)

    @property
    def response(self) -> CapturedResponse:
        return self.captured


class EndpointTree(MusterTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Nothing to recycle: each interaction is a web request, whose cycle closes old connections."""
        return True


class EndpointClient(InteractionAnswers, discord.Client):
    """The tree and callbacks of the gateway, in a client that never connects."""

    def __init__(self):
        logging.getLogger("discord.client").addFilter(not_about_voice)
        # Never used to connect; the guilds intent only spares the warning discord.py gives without it.
        super().__init__(intents=discord.Intents(guilds=True), max_messages=None)
        self.tree = build_tree(self, EndpointTree)

    async def forward(self, interaction: discord.Interaction, *, ephemeral: bool) -> None:
        """Defer (the response body), and keep the payload to publish once it is sent."""
        await forwarding.acknowledge(interaction, ephemeral=ephemeral)
        interaction.response.payload = payloads.build(interaction, ephemeral=ephemeral, acked_at=time.time())

    async def answer(self, data: dict) -> CapturedResponse:
        """What answers one verified interaction (not a PING): ``body`` (None: nothing did), ``payload``."""
        # ``_connection`` is the client's ConnectionState, which discord.py passes to every
        # Interaction it builds from a gateway event; it is stable across discord.py 2.x.
        state = self._connection
        if state.user is None:
            # Filled from READY on a gateway; an Interaction in a guild asks for it
            # (``Guild.me``). Discord gives an application's bot user the application's id.
            user = {
                "id": data["application_id"],
                "username": "Muster",
                "discriminator": "0",
                "avatar": None,
                "bot": True,
            }
            state.user = discord.ClientUser(state=state, data=user)
        interaction = HttpInteraction(data=data, state=state)
        if interaction.type in (discord.InteractionType.application_command, discord.InteractionType.autocomplete):
            await self._run_tree(interaction)
        else:
            await self.on_interaction(interaction)
        return interaction.response

    async def _run_tree(self, interaction: HttpInteraction) -> None:
        # CommandTree._call is the tree's one entry point, what discord.py's ConnectionState
        # runs for a gateway INTERACTION_CREATE (through CommandTree._from_interaction, which
        # needs a running client's loop); errors then go to the tree's public on_error.
        try:
            await self.tree._call(interaction)
        except app_commands.AppCommandError as error:
            await self.tree.on_error(interaction, error)


def publish_after(payload: dict) -> None:
    """Publish a forwarded interaction whose deferral was sent; if that fails, say so in its place.

    The gateway's sentences (``forwarding.UNAVAILABLE`` / ``UNCONFIRMED``) within
    ``publish.DEADLINE_S``, privately, through the interaction's own webhook (no bot token).
    """
    outcome = publish_blocking(payload)
    if outcome is Outcome.PUBLISHED:
        return
    message = forwarding.failure_message(outcome)
    client, app, token = webhooks(), payload["application_id"], payload["token"]
    try:
        if payload["kind"] != "component" and payload["ephemeral"]:
            client.edit_original(app, token, {"content": message})
            return
        if payload["kind"] != "component":
            client.delete_original(app, token)
        client.followup(app, token, {"content": message, "flags": EPHEMERAL})
    except DiscordError as exc:
        log.warning("interaction %s: could not report the broker outage: %s", payload["id"], exc)


_webhooks: dict[tuple[int, str], DiscordClient] = {}


def webhooks() -> DiscordClient:
    """This process's client for interaction webhooks, which the interaction's token authorises.

    Web holds no bot token (``core.discord_api.get_client`` needs one); only the webhook
    routes are called, and they never send it.
    """
    key = (os.getpid(), settings.DISCORD_API_BASE)
    if key not in _webhooks:
        limiter = RateLimiter(get_redis(), global_per_s=settings.DISCORD_GLOBAL_RATE_LIMIT)
        _webhooks.clear()
        _webhooks[key] = DiscordClient(
            token="", api_base=settings.DISCORD_API_BASE, limiter=limiter, timeout=settings.DISCORD_REQUEST_TIMEOUT_S
        )
    return _webhooks[key]


_client: EndpointClient | None = None
_client_lock = threading.Lock()


def endpoint_client() -> EndpointClient:
    """This process's client, built on first use (the tree imports every app's commands).

    gunicorn's threads share it: each request builds its own Interaction and runs it on its
    own event loop; the client's state only keeps one partial Guild per guild id (``Guild.me``).
    """
    global _client
    with _client_lock:
        if _client is None:
            _client = EndpointClient()
        return _client
