"""The worker-side handler registry: which function answers which interaction.

A domain registers its handlers in ``<app>/discord/handlers.py`` (imported by the
dispatcher through Django's autodiscovery, like ``admin.py``)::

    from core.errors import RuleError
    from core.interactions import CustomId, Interaction, Reply, Update, command, component, modal

    GOING = CustomId("event:going:{event_id:int}")      # declared in events/discord/messages.py

    @command("event list")
    def list_events(interaction: Interaction) -> Reply:
        return Reply(content=...)

    @component(GOING)
    def going(interaction: Interaction, event_id: int) -> Update | Reply | None:
        ...

    @modal(CREATE_FORM)                # the form's CustomId
    def create(interaction: Interaction, capacity: int, ...) -> Reply:
        title = interaction.fields["title"]

    @component(VOTE, redact=anonymous_poll)   # keep no trace of an anonymous choice
    def vote(interaction: Interaction, poll_id: int, option_id: int) -> Reply: ...

A handler is a plain synchronous function. The dispatcher runs it inside one database
transaction together with the command log row, so a redelivered interaction never runs
it twice. Components and modals receive the parts of their custom_id, parsed by the
route's ``CustomId``, as keyword arguments; an id that does not parse gets "This no
longer does anything", never an exception. A handler returns what to show (``Reply``,
``Update``, or ``None`` for nothing new) or raises ``RuleError``. ``allowed`` (a function
of the interaction returning bool) refuses members who may not use it, and ``/muster
help`` lists only what a member may use. ``redact`` (``True``, or a function of the
interaction and the custom_id's parts returning bool) says that what the member chose must
leave no trace: the dispatcher asks it before it writes anything, and then keeps the
options, select values and error details out of the command log and out of log lines,
whatever the outcome (see ``core.interactions.dispatcher``). If the function itself
fails, the interaction is redacted.
Handlers should not call Discord themselves: write to the outbox
(``core.outbox.enqueue``) or schedule a re-render (``core.refresh.schedule_refresh``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

from core.interactions.custom_ids import CustomId
from core.interactions.values import Interaction

log = logging.getLogger(__name__)

Handler = Callable[..., object]
Check = Callable[[Interaction], bool]
RedactCheck = Callable[..., bool]


@dataclass(frozen=True)
class Route:
    kind: str  # "command" | "component" | "modal"
    name: str  # "event create" | "event:going" | "event:create"
    handler: Handler
    custom_id: CustomId | None = None  # components and modals
    allowed: Check | None = None
    redact: RedactCheck | bool = False

    def parts(self, interaction: Interaction) -> dict | None:
        """The handler's keyword arguments from the custom_id; None when it does not parse."""
        if self.custom_id is None:
            return {}
        return self.custom_id.parse(interaction.custom_id)

    def permits(self, interaction: Interaction) -> bool:
        return self.allowed is None or bool(self.allowed(interaction))

    def redacts(self, interaction: Interaction) -> bool:
        """Whether this interaction's choices must stay out of the command log and the logs."""
        if not callable(self.redact):
            return bool(self.redact)
        parts = self.parts(interaction)
        if parts is None:
            return True  # a malformed id: nothing to ask about it, and nothing it carries is kept
        try:
            return bool(self.redact(interaction, **parts))
        except Exception as exc:
            # Fail closed, and name only the exception's type: its message may quote the choice.
            log.warning("%s %r: the redact check raised %s; redacting", self.kind, self.name, type(exc).__name__)
            return True


class RouteConflict(Exception):
    """Two handlers were registered for the same route."""


_routes: dict[tuple[str, str], Route] = {}
_discovered = False


def _register(kind: str, name: str, custom_id: CustomId | None, allowed: Check | None, redact: RedactCheck | bool):
    def decorator(handler: Handler) -> Handler:
        key = (kind, name)
        existing = _routes.get(key)
        if existing is not None and existing.handler is not handler:
            raise RouteConflict(f"{kind} {name!r} is handled by {existing.handler.__module__} already")
        _routes[key] = Route(kind, name, handler, custom_id, allowed, redact)
        return handler

    return decorator


def command(path: str, *, allowed: Check | None = None, redact: RedactCheck | bool = False):
    """Register the handler of a slash command, by its path: "muster ping", "event create"."""
    return _register("command", path, None, allowed, redact)


def component(custom_id: CustomId, *, allowed: Check | None = None, redact: RedactCheck | bool = False):
    """Register the handler of the buttons and selects whose custom_id has this template."""
    return _register("component", custom_id.prefix, custom_id, allowed, redact)


def modal(custom_id: CustomId, *, allowed: Check | None = None, redact: RedactCheck | bool = False):
    """Register the handler of the submissions of the form whose custom_id has this template."""
    return _register("modal", custom_id.prefix, custom_id, allowed, redact)


def command_fallback(*, allowed: Check | None = None, redact: RedactCheck | bool = False):
    """Register the handler of slash commands no ``@command`` names: a guild's own ``/<name>``.

    At most one; it receives the interaction (its ``command`` is the name) and raises
    ``RuleError`` for a name it does not know either.
    """
    return _register("command", FALLBACK, None, allowed, redact)


FALLBACK = "*"  # the route name of ``command_fallback``; no command path can be "*"


def discover() -> None:
    """Import every installed app's ``discord.handlers`` module (once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("discord.handlers")
        _discovered = True


def find(interaction: Interaction) -> Route | None:
    """The route registered for an interaction, or None."""
    discover()
    route = _routes.get((interaction.kind, interaction.route))
    if route is None and interaction.kind == "command":
        return _routes.get(("command", FALLBACK))
    return route


def routes(kind: str | None = None) -> list[Route]:
    """Every registered route (of one kind), sorted by name; not the ``command_fallback``."""
    discover()
    named = (r for r in _routes.values() if kind in (None, r.kind) and r.name != FALLBACK)
    return sorted(named, key=lambda r: r.name)
