"""The worker-side handler registry: which function answers which interaction.

A domain registers its handlers in ``<app>/interactions.py`` (imported by the
dispatcher through Django's autodiscovery, like ``admin.py``)::

    from discord_gateway.interaction import Interaction, Refusal, Reply, Update
    from discord_gateway.routing import command, component, modal

    @command("event list")
    def list_events(interaction: Interaction) -> Reply:
        return Reply(content=...)

    @component("event:going")          # custom_id "event:going:<event_id>"
    def going(interaction: Interaction) -> Update | Reply | None:
        event_id = int(interaction.ids[0])
        ...

    @modal("event:create")             # the modal's custom_id "event:create[:<ids>]"
    def create(interaction: Interaction) -> Reply:
        title = interaction.fields["title"]

    @component("poll:vote", redact=anonymous_poll)   # keep no trace of an anonymous choice
    def vote(interaction: Interaction) -> Reply: ...

A handler is a plain synchronous function. The dispatcher runs it inside one database
transaction together with the command log row, so a redelivered interaction never runs
it twice. It returns what to show (``Reply``, ``Update``, or ``None`` for nothing new)
or raises ``Refusal``. ``allowed`` (a function of the interaction returning bool) refuses
members who may not use it, and ``/muster help`` lists only what a member may use.
``redact`` (``True``, or a function of the interaction returning bool) says that what the
member chose must leave no trace: the dispatcher asks it before it writes anything, and
then keeps the options, select values and error details out of the command log and out of
log lines, whatever the outcome (see ``discord_gateway.dispatcher``). If the function
itself fails, the interaction is redacted.
Handlers should not call Discord themselves: write to the outbox
(``core.outbox.enqueue``) or schedule a re-render (``core.refresh.schedule_refresh``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from discord_gateway.interaction import Interaction

log = logging.getLogger(__name__)

Handler = Callable[[Interaction], object]
Check = Callable[[Interaction], bool]


@dataclass(frozen=True)
class Route:
    kind: str  # "command" | "component" | "modal"
    name: str  # "event create" | "event:going" | "event:create"
    handler: Handler
    allowed: Check | None = None
    redact: Check | bool = False

    def permits(self, interaction: Interaction) -> bool:
        return self.allowed is None or bool(self.allowed(interaction))

    def redacts(self, interaction: Interaction) -> bool:
        """Whether this interaction's choices must stay out of the command log and the logs."""
        if not callable(self.redact):
            return bool(self.redact)
        try:
            return bool(self.redact(interaction))
        except Exception as exc:
            # Fail closed, and name only the exception's type: its message may quote the choice.
            log.warning("%s %r: the redact check raised %s; redacting", self.kind, self.name, type(exc).__name__)
            return True


class RouteConflict(Exception):
    """Two handlers were registered for the same route."""


_routes: dict[tuple[str, str], Route] = {}
_discovered = False


def _register(kind: str, name: str, allowed: Check | None, redact: Check | bool):
    if kind != "command" and name.count(":") != 1:
        raise ValueError(f"{kind} route {name!r} must be '<domain>:<action>'")

    def decorator(handler: Handler) -> Handler:
        key = (kind, name)
        existing = _routes.get(key)
        if existing is not None and existing.handler is not handler:
            raise RouteConflict(f"{kind} {name!r} is handled by {existing.handler.__module__} already")
        _routes[key] = Route(kind, name, handler, allowed, redact)
        return handler

    return decorator


def command(path: str, *, allowed: Check | None = None, redact: Check | bool = False):
    """Register the handler of a slash command, by its path: "muster ping", "event create"."""
    return _register("command", path, allowed, redact)


def component(prefix: str, *, allowed: Check | None = None, redact: Check | bool = False):
    """Register the handler of buttons and selects whose custom_id starts "<domain>:<action>:"."""
    return _register("component", prefix, allowed, redact)


def modal(prefix: str, *, allowed: Check | None = None, redact: Check | bool = False):
    """Register the handler of a modal submission whose custom_id starts "<domain>:<action>"."""
    return _register("modal", prefix, allowed, redact)


def discover() -> None:
    """Import every installed app's ``interactions`` module (once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("interactions")
        _discovered = True


def find(interaction: Interaction) -> Route | None:
    """The route registered for an interaction, or None."""
    discover()
    return _routes.get((interaction.kind, interaction.route))


def routes(kind: str | None = None) -> list[Route]:
    """Every registered route (of one kind), sorted by name."""
    discover()
    return sorted((r for r in _routes.values() if kind in (None, r.kind)), key=lambda r: r.name)
