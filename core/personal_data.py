"""What Muster stores about a member, and how it is exported and forgotten: the registry.

Every app declares, in ``<app>/personal_data.py`` (autodiscovered like ``datasets.py``),
each of its models that holds a member's data, as a ``Holding``::

    # carpool/personal_data.py
    from core.personal_data import DELETE, UNLINK, Holding, register

    register(Holding("carpool.RideRequest", "Ride requests", ("member",)))  # deleted when forgotten
    register(Holding("carpool.Ride", "Rides you drive", ("driver",), forget=cancel_and_delete))
    register(Holding("community.CustomCommand", "Custom commands you made", ("created_by",), forget=UNLINK))

Rules for a holding:

- ``member_fields`` are the fields that name the member: a foreign key to ``core.Member``
  (``"member"``, ``"driver"``, ``"created_by"``) or a field holding a member id. Every such
  field of every installed model must be declared: ``tests/core/test_personal_data.py``
  walks the models and fails on one that is not (a new model referencing ``core.Member``
  needs its line here before its app lands).
- ``forget`` says what "Forget me" does to the rows: ``DELETE`` (the default), ``UNLINK``
  (the fields set to null: the row belongs to the guild, such as an event the member
  created), or a function ``forget(member_id, now) -> int`` (rows changed) for rows whose
  removal has effects the domain owns (a freed place goes to the waitlist: call the
  domain's service) or that a tally needs (a vote in a closed poll stays counted, its
  voter replaced by ``anonymous_voter()``). It runs inside the forgetting's transaction.
- ``rows(member_id)`` (optional) is the queryset of the member's rows, when a filter on
  the fields is not it (votes: only non-anonymous polls name the member). ``export``
  (optional) turns the rows into JSON-ready dicts; by default every field but ``secret``
  ones (tokens, which the member never needs and must never travel by DM).
- A holding's ``title`` is what ``/muster privacy`` lists, with the count of rows.

``summary(member_id)`` counts, ``export(member_id)`` is the Download, ``forget(member_id,
now=...)`` is Forget me (one transaction, apps in reverse ``INSTALLED_APPS`` order, so a
domain's rows go before those of ``core``: the outbox rows its services write on the way).
``core``'s own holdings (the member, memberships, command log, outbox) are declared in
``core/member_data.py``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.module_loading import autodiscover_modules

DELETE, UNLINK = "delete", "unlink"
ANONYMOUS_VOTER_PREFIX = "forgotten:"


@dataclass(frozen=True)
class Holding:
    model: str
    title: str
    member_fields: tuple[str, ...]
    forget: str | Callable[[int, datetime], int] = DELETE
    rows: Callable[[int], QuerySet] | None = field(default=None, repr=False)
    export: Callable[[QuerySet], list[dict]] | None = field(default=None, repr=False)
    secret: tuple[str, ...] = ()

    def model_class(self):
        return apps.get_model(self.model)

    def queryset(self, member_id: int) -> QuerySet:
        """The member's rows of this model."""
        if self.rows is not None:
            return self.rows(member_id)
        model = self.model_class()
        return model.objects.filter(reduce(or_, (Q(**{name: member_id}) for name in self.member_fields)))

    def exported(self, member_id: int) -> list[dict]:
        rows = self.queryset(member_id).order_by("pk")
        if self.export is not None:
            return self.export(rows)
        names = [f.attname for f in self.model_class()._meta.concrete_fields if f.name not in self.secret]
        return list(rows.values(*names))

    def forgotten(self, member_id: int, now: datetime) -> int:
        if callable(self.forget):
            return self.forget(member_id, now)
        rows = self.queryset(member_id)
        if self.forget == UNLINK:
            return sum(rows.filter(**{name: member_id}).update(**{name: None}) for name in self.member_fields)
        deleted, _ = rows.delete()
        return deleted


_REGISTRY: dict[str, Holding] = {}
_discovered = False


def register(holding: Holding) -> Holding:
    """Declare ``holding``; a model declared twice is a programming error."""
    if _REGISTRY.get(holding.model, holding) != holding:
        raise ValueError(f"personal data of {holding.model} is declared twice")
    if holding.forget not in (DELETE, UNLINK) and not callable(holding.forget):
        raise ValueError(f"{holding.model}: forget must be DELETE, UNLINK or a function")
    _REGISTRY[holding.model] = holding
    return holding


def holdings() -> list[Holding]:
    """Every declared holding, apps in ``INSTALLED_APPS`` order."""
    global _discovered
    if not _discovered:
        import core.member_data  # noqa: F401  (core's own holdings: this module is the registry)

        autodiscover_modules("personal_data")
        _discovered = True
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    return sorted(_REGISTRY.values(), key=lambda h: order.get(h.model.split(".")[0], len(order)))


def anonymous_voter() -> str:
    """A stand-in for a forgotten member where a tally must keep their row: random, never theirs."""
    return ANONYMOUS_VOTER_PREFIX + secrets.token_hex(8)


def summary(member_id: int) -> list[tuple[str, int]]:
    """(title, rows) of every holding where the member has rows."""
    counts = [(holding.title, holding.queryset(member_id).count()) for holding in holdings()]
    return [(title, n) for title, n in counts if n]


def export(member_id: int, *, now: datetime) -> str:
    """Everything Muster stores about the member, as JSON (the Download)."""
    data = {
        "member_id": str(member_id),
        "exported_at": now.isoformat(),
        "data": {
            holding.model: {"title": holding.title, "rows": rows}
            for holding in holdings()
            if (rows := holding.exported(member_id))
        },
    }
    return json.dumps(data, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False, default=str)


def forget(member_id: int, *, now: datetime) -> dict[str, int]:
    """Delete or anonymise the member's rows in every app (Forget me); rows changed per model."""
    changed = {}
    with transaction.atomic():
        for holding in reversed(holdings()):
            n = holding.forgotten(member_id, now)
            if n:
                changed[holding.model] = n
    return changed
