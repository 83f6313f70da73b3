"""What each domain offers to views over several domains (the Sheets export, later others).

A view never imports a domain app. Each domain declares its datasets in
``<app>/datasets.py`` (autodiscovered like ``discord/handlers.py``) and the view reads them
here by name::

    # carpool/datasets.py
    from core.datasets import Column, Dataset, Row, Selection, register

    def ride_rows(selection: Selection) -> Iterator[Row]:
        rides = Ride.objects.filter(event__guild=selection.guild, event__in=selection.events())
        for ride in rides.order_by("id"):
            yield Row(f"ride-{ride.id}", {"Event": ride.event.title, "Seats": ride.seats, "Leaves": ride.leaves_at})

    def ride_fingerprint(selection: Selection) -> str:
        return aggregate_fingerprint(Ride.objects.filter(event__guild=selection.guild), "updated_at")

    register(Dataset(
        name="rides", title="Rides",
        columns=(Column("Event"), Column("Seats", INTEGER), Column("Leaves", DATETIME)),
        rows=ride_rows, fingerprint=ride_fingerprint,
    ))

Rules for a dataset:

- ``name`` is stable (stored in export targets); ``title`` names its tab.
- Every row has a ``muster_id`` that never changes and is unique within the dataset
  (``"<kind>-<primary key>"``): the export finds the row again by it after people sort.
- ``values`` are keyed by the column names and typed as declared: ``TEXT`` (str),
  ``INTEGER`` (int), ``DATETIME`` (an aware datetime; the view shows it in the guild's
  zone). ``None`` is an empty cell. A missing key is an empty cell too.
- ``Row.status`` is ``""`` for a live row, or a word such as ``"cancelled"`` when the
  source says so; rows whose source is gone are the view's business ("removed").
- ``rows(selection)`` yields rows in a stable order; ``selection.events()`` is the events
  the organiser chose (or every event from ``selection.since`` on), as a queryset of
  ``events.Event`` reached by the ORM only, so no domain imports ``events``.
- ``fingerprint(selection)`` is cheap (one or two aggregate queries): a string that changes
  whenever any row would (counts and newest update times). The export's debounced cadence
  runs only when it changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Count, Max, QuerySet
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from core.models import Guild

TEXT, INTEGER, DATETIME = "text", "integer", "datetime"
KINDS = (TEXT, INTEGER, DATETIME)

Value = str | int | datetime | None


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: kind {self.kind!r} is not one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Row:
    muster_id: str
    values: dict[str, Value]
    status: str = ""


@dataclass(frozen=True)
class Selection:
    """Which part of a guild a view shows: chosen events, or every event from ``since`` on."""

    guild: Guild
    event_ids: tuple[int, ...] | None = None
    since: datetime | None = None

    def events(self) -> QuerySet:
        """The selected events of the guild (``events.Event``, through the app registry)."""
        events = apps.get_model("events", "Event").objects.filter(guild=self.guild)
        if self.event_ids is not None:
            return events.filter(id__in=self.event_ids)
        if self.since is not None:
            return events.filter(starts_at__gte=self.since)
        return events


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Selection], Iterable[Row]] = field(repr=False)
    fingerprint: Callable[[Selection], str] = field(repr=False)

    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


_REGISTRY: dict[str, Dataset] = {}
_discovered = False


class DatasetConflict(Exception):
    pass


def register(dataset: Dataset) -> Dataset:
    """Offer ``dataset``; a second dataset of the same name or tab title is a programming error."""
    for known in _REGISTRY.values():
        if known.name != dataset.name and known.title == dataset.title:
            raise DatasetConflict(f"datasets {known.name!r} and {dataset.name!r} share the tab title {dataset.title!r}")
    if _REGISTRY.get(dataset.name, dataset) != dataset:
        raise DatasetConflict(f"dataset {dataset.name!r} is registered twice")
    _REGISTRY[dataset.name] = dataset
    return dataset


def discover() -> None:
    """Import every installed app's ``datasets`` module (once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("datasets")
        _discovered = True


def all_datasets() -> list[Dataset]:
    """Every dataset, in registration order (apps in INSTALLED_APPS order)."""
    discover()
    return list(_REGISTRY.values())


def get(name: str) -> Dataset | None:
    discover()
    return _REGISTRY.get(name)


def choices() -> list[tuple[str, str]]:
    """(name, tab title) of every dataset, for forms."""
    return [(dataset.name, dataset.title) for dataset in all_datasets()]


def aggregate_fingerprint(queryset: QuerySet, *stamps: str) -> str:
    """``count|max(stamp)|...`` of a queryset: one query, changes when a row is added, removed or updated."""
    figures = queryset.order_by().aggregate(n=Count("pk"), **{f"m{i}": Max(s) for i, s in enumerate(stamps)})
    parts = [str(figures["n"])] + [_stamp(figures[f"m{i}"]) for i in range(len(stamps))]
    return "|".join(parts)


def _stamp(value) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def member_names(guild_id: int, also: Iterable[int] = ()) -> dict[int, str]:
    """Each member's name in the guild, by member id: their nickname, else their display name,
    else username; ``also`` names members who have no membership row (any more) the same way."""
    memberships = apps.get_model("core", "GuildMember").objects.filter(guild_id=guild_id).select_related("member")
    names = {gm.member_id: gm.nickname or str(gm.member) for gm in memberships}
    missing = set(also) - set(names)
    if missing:
        names.update((m.id, str(m)) for m in apps.get_model("core", "Member").objects.filter(id__in=missing))
    return names


def iter_rows(dataset: Dataset, selection: Selection) -> Iterator[Row]:
    """The dataset's rows, checked against its declaration (a wrong key is a programming error)."""
    names = set(dataset.column_names())
    for row in dataset.rows(selection):
        unknown = set(row.values) - names
        if unknown:
            raise ValueError(f"dataset {dataset.name!r}: row {row.muster_id} has undeclared columns {sorted(unknown)}")
        yield row
