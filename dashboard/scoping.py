"""Which guild a dashboard URL may show: one the user organises, or 404.

Every guild page (``/dashboard/g/<guild_id>/...``) starts with ``organised_guild_or_404``
and reads every object through ``in_organised_guilds`` (or filters by the guild it got),
so another guild's id, or an object id of another guild, answers 404 and never tells
whether it exists. ``core.permissions.guilds_organised_by`` decides (None: a superuser,
who sees every guild, as in the admin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from core.admin import scope_to_guilds
from core.models import Guild
from core.permissions import guilds_organised_by

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest


def organised_guilds(request: HttpRequest) -> QuerySet[Guild]:
    """The active guilds the request's user organises."""
    rows = Guild.objects.filter(active=True)
    organised = guilds_organised_by(request)
    return rows if organised is None else rows.filter(id__in=organised)


def organised_guild_or_404(request: HttpRequest, guild_id: int) -> Guild:
    """The guild of the URL if the user organises it; otherwise Http404, whether it exists or not."""
    guild = organised_guilds(request).filter(id=guild_id).first()
    if guild is None:
        raise Http404("No such guild.")
    return guild


def in_organised_guilds(request: HttpRequest, queryset: QuerySet) -> QuerySet:
    """``queryset`` cut to the guilds the user organises (a ``guild``, ``event`` or ``poll`` key).

    The admin's own rule (``core.admin.scope_to_guilds``), so both sites agree on what a
    row's guild is; a model with no way to a guild yields nothing (fail closed). Fetch
    with ``get_object_or_404(in_organised_guilds(request, Event.objects.filter(guild=guild)), pk=...)``.
    """
    organised = guilds_organised_by(request)
    if organised is None:
        return queryset
    return scope_to_guilds(queryset, organised)
