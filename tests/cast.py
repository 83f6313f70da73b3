"""The cast every test is written around, in the database and in the Discord sandbox.

A guild, *Muster HQ*, whose organiser **olivia** holds its organiser role (which has
Manage Events in the sandbox), whose member **alice** holds no role, and **oscar**, an
outsider who belongs to another guild. Unit tests take the ``cast`` fixture (rows made
with the factories); end-to-end tests take ``sandbox_cast`` (the same people in the Discord
sandbox, seen by Muster through the gateway).

``cast.interaction(cast.member, ...)`` builds the ``Interaction`` a worker would receive
from that person, and ``handle(interaction)`` runs the handler registered for it the way
the dispatcher does (route, custom_id parsing), without the command log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.interactions import Actor, Interaction, routing
from core.permissions import MANAGE_EVENTS

if TYPE_CHECKING:
    from core.models import Guild, GuildMember

# No model at module level: the e2e conftest imports this module before Django is set up.

GUILD, OTHER_GUILD = "Muster HQ", "Elsewhere"
ORGANISER, MEMBER, OUTSIDER = "olivia", "alice", "oscar"
ORGANISER_ROLE = "Organisers"
ORGANISER_ROLE_ID = 555_000_000_000_000_001
CHANNEL_ID = 700_000_000_000_000_055


@dataclass(frozen=True)
class Cast:
    guild: Guild
    organiser: GuildMember
    member: GuildMember
    outsider: GuildMember

    def interaction(self, who: GuildMember, *, kind: str = "command", permissions: int = 0, **data) -> Interaction:
        """What a worker receives when ``who`` acts in their guild (the organiser holds the role)."""
        roles = (ORGANISER_ROLE_ID,) if who.pk == self.organiser.pk else ()
        actor = Actor(id=who.member_id, username=who.member.username, role_ids=roles, permissions=permissions)
        data.setdefault("channel_id", CHANNEL_ID)
        return Interaction(id=1, token="t", application_id=1, kind=kind, actor=actor, guild_id=who.guild_id, **data)


def build_cast(**guild_fields) -> Cast:
    from tests.factories import GuildFactory, GuildMemberFactory, MemberFactory

    guild = GuildFactory(name=GUILD, organiser_role_id=ORGANISER_ROLE_ID, **guild_fields)
    return Cast(
        guild=guild,
        organiser=GuildMemberFactory(guild=guild, member=MemberFactory(username=ORGANISER)),
        member=GuildMemberFactory(guild=guild, member=MemberFactory(username=MEMBER)),
        outsider=GuildMemberFactory(guild=GuildFactory(name=OTHER_GUILD), member=MemberFactory(username=OUTSIDER)),
    )


def handle(interaction: Interaction):
    """Run the handler registered for ``interaction`` as the dispatcher does (without the command log)."""
    route = routing.find(interaction)
    assert route is not None, f"no handler for {interaction.kind} {interaction.route!r}"
    parts = route.parts(interaction)
    assert parts is not None, f"{interaction.custom_id!r} does not parse as {route.custom_id!r}"
    return route.handler(interaction, **parts)


@dataclass(frozen=True)
class SandboxCast:
    """The cast in the Discord sandbox: snowflakes as Discord knows them."""

    guild_id: int
    channel_id: int
    organiser_role_id: int
    organiser_id: int
    member_id: int
    outsider_id: int
    other_guild_id: int


def build_sandbox_cast(control, guild_id: int, channel_id: int, member_id: int) -> SandboxCast:
    """Olivia with the organiser role (Manage Events) next to ``member_id`` (alice), and oscar elsewhere."""
    role = control.create_role(guild_id, ORGANISER_ROLE, permissions=MANAGE_EVENTS)
    olivia = control.add_member(guild_id, username=ORGANISER, roles=[role["id"]])
    other = control.create_guild(OTHER_GUILD)
    oscar = control.add_member(other["id"], username=OUTSIDER)
    return SandboxCast(
        guild_id=guild_id,
        channel_id=channel_id,
        organiser_role_id=int(role["id"]),
        organiser_id=int(olivia["user"]["id"]),
        member_id=member_id,
        outsider_id=int(oscar["user"]["id"]),
        other_guild_id=int(other["id"]),
    )
