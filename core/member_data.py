"""core's holdings of a member's data (core.personal_data is the registry itself).

Forgetting keeps the member's Discord id: Discord sends it (and their names) with everything
they do while they stay in a guild, and the id is what their other rows were deleted by.
Their names and preferences are cleared; memberships of guilds they left are deleted, current
ones keep only what permissions need (their roles). Command logs keep their figures (the
dashboard's activity charts) without the member or what they typed.
"""

from __future__ import annotations

from datetime import datetime

from core.models import CommandLog, GuildMember, Member, OrganiserAction
from core.organiser_log import FORGOTTEN_ACTOR
from core.personal_data import DELETE, Holding, register

FORGOTTEN_NAME = "forgotten"


def unforgotten(member_id: int):
    return Member.objects.filter(id=member_id).exclude(username=FORGOTTEN_NAME)


def forget_member(member_id: int, now: datetime) -> int:
    return unforgotten(member_id).update(
        username=FORGOTTEN_NAME, display_name="", timezone="", dm_reminders=True, dms_closed_at=None
    )


def forget_memberships(member_id: int, now: datetime) -> int:
    memberships = GuildMember.objects.filter(member_id=member_id)
    left, _ = memberships.filter(left_at__isnull=False).delete()
    return left + memberships.exclude(nickname="").update(nickname="")


def forget_commands(member_id: int, now: datetime) -> int:
    return CommandLog.objects.filter(member_id=member_id).update(member=None, options={}, reply=None)


def forget_organiser_actions(member_id: int, now: datetime) -> int:
    return OrganiserAction.objects.filter(member_id=member_id).update(member=None, actor=FORGOTTEN_ACTOR)


register(
    Holding(
        "core.Member",
        "Your name and preferences",
        ("id",),
        forget=forget_member,
        rows=unforgotten,
    )
)
register(Holding("core.GuildMember", "Server memberships", ("member",), forget=forget_memberships))
register(Holding("core.CommandLog", "Commands you used", ("member",), forget=forget_commands, secret=("reply",)))
register(Holding("core.OutboundMessage", "Direct messages Muster sent you", ("member",), forget=DELETE))
register(Holding("core.HeldNudge", "Messages held while you were away", ("member",), forget=DELETE))
register(
    Holding("core.OrganiserAction", "Your changes in the organiser log", ("member",), forget=forget_organiser_actions)
)
