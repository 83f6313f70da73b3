"""Named hooks: how a change in one domain has an effect in another without an import.

This module lists every hook and its arguments. The domain that owns a change calls the
hook explicitly, inside its transaction; another domain subscribes in its
``AppConfig.ready()``::

    # carpool/apps.py
    def ready(self):
        hooks.registration_status_changed.subscribe(services.on_registration_status)

    # events/services.py, in respond()'s transaction
    hooks.registration_status_changed.call(event_id=event.id, member_id=member_id, old=current, new=status)

Subscribers run synchronously in the caller's transaction, in the order they subscribed,
so what they write commits or rolls back with the change that caused it. A subscriber
that raises aborts the whole change. No Django signals: a reader of the owning service
sees every call.

Providers are hooks whose subscribers return something (``event_post_extras``): ``call``
returns their answers in subscription order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


class Hook:
    """One named hook with a fixed set of keyword arguments."""

    def __init__(self, name: str, arguments: tuple[str, ...], doc: str):
        self.name, self.arguments, self.__doc__ = name, arguments, doc
        self._subscribers: list[Callable] = []

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {self.arguments!r})"

    def subscribe(self, subscriber: Callable) -> Callable:
        """Add ``subscriber`` (once; subscribing it again does nothing). Usable as a decorator."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def call(self, **arguments) -> list:
        """Run every subscriber with exactly this hook's arguments; returns their answers."""
        if set(arguments) != set(self.arguments):
            raise TypeError(f"hook {self.name} takes {', '.join(self.arguments)}; got {', '.join(sorted(arguments))}")
        return [subscriber(**arguments) for subscriber in list(self._subscribers)]


registration_status_changed = Hook(
    "registration_status_changed",
    ("event_id", "member_id", "old", "new"),
    "A member's registration for an event changed status. ``old`` and ``new`` are "
    "registration statuses (going, maybe, declined, waitlisted) or None (no registration: "
    "first response, or removed). Called for clicks, promotions from the waitlist and removals.",
)
event_cancelled = Hook("event_cancelled", ("event_id",), "An event was cancelled (once).")
event_moved = Hook(
    "event_moved",
    ("event_id", "old_start", "new_start"),
    "An event's start changed; both are aware datetimes.",
)
event_post_stale = Hook(
    "event_post_stale",
    ("event_id",),
    "Something an event's post shows from another domain changed (its rides, say): the "
    "event's owner schedules the post's coalesced refresh.",
)
event_post_extras = Hook(
    "event_post_extras",
    ("event_id", "now"),
    "A provider: what another domain adds to an event's post. Each subscriber returns a "
    "``PostExtras`` (or None), read when the post is drawn.",
)
event_deletion_refusals = Hook(
    "event_deletion_refusals",
    ("event_id", "now"),
    "A provider: why another domain says an event may not be deleted yet (what it has in "
    "Discord would be left behind). Each subscriber returns a sentence, or an empty one.",
)
member_left = Hook(
    "member_left",
    ("guild_id", "member_id"),
    "A member left the guild or was removed from it (once per leave; core.directory).",
)

event_admin = Hook(
    "event_admin",
    (),
    "A provider: what another domain adds to the event admin. Each subscriber returns an "
    "``AdminExtras``: inlines, queryset annotations (one query for the whole list) and a "
    "summary of an annotated event for the list's Logistics column.",
)

date_poll_decided = Hook(
    "date_poll_decided",
    ("decision",),
    "A provider: a date poll's date was chosen (once per poll; polls.services). The subscriber "
    "(events) creates the event a ``DatePollDecision`` describes, registers its voters and tells "
    "the others, and returns the new event's id.",
)


@dataclass(frozen=True)
class DatePollDecision:
    """What a decided date poll asks for: an event at the chosen time, and who voted for what.

    ``going`` are the member ids who voted for the chosen time, in vote order (they are
    registered in that order, so the capacity's waitlist follows it); ``others`` voted only
    for other times.
    """

    poll_id: int
    guild_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    capacity: int | None
    channel_id: int | None
    created_by_id: int | None
    going: tuple[int, ...]
    others: tuple[int, ...]
    now: datetime


@dataclass(frozen=True)
class PostExtras:
    """Buttons (component JSON) and footer lines another domain adds to an event's post."""

    buttons: list[dict] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)


def post_extras(event_id: int, now) -> PostExtras:
    """Every domain's extras for an event's post, together, in subscription order."""
    buttons, footer = [], []
    for extras in event_post_extras.call(event_id=event_id, now=now):
        if extras is not None:
            buttons.extend(extras.buttons)
            footer.extend(extras.footer)
    return PostExtras(buttons=buttons, footer=footer)


@dataclass(frozen=True)
class AdminExtras:
    """Inline classes, ``annotate()`` expressions and summary parts (safe HTML) for the event admin."""

    inlines: list = field(default_factory=list)
    annotations: dict = field(default_factory=dict)
    summaries: list[Callable] = field(default_factory=list)

    def summary(self, event) -> list:
        return [part for summarise in self.summaries for part in summarise(event)]


def event_admin_extras() -> AdminExtras:
    """Every domain's additions to the event admin, together."""
    inlines, annotations, summaries = [], {}, []
    for extras in event_admin.call():
        if extras is not None:
            inlines.extend(extras.inlines)
            annotations.update(extras.annotations)
            summaries.extend(extras.summaries)
    return AdminExtras(inlines=inlines, annotations=annotations, summaries=summaries)
