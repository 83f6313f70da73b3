"""Teams around the events factories: an event with members going, and their preferences."""

from core.models import GuildMember
from teams.models import Preference
from tests.events.factories import RegistrationFactory
from tests.factories import MemberFactory


def going(event, *, skill=None, role="", **member_fields):
    """A member of the event's guild registered as going to ``event`` (with a preference if given)."""
    member = MemberFactory(**member_fields)
    GuildMember.objects.get_or_create(guild_id=event.guild_id, member=member)
    RegistrationFactory(event=event, member=member)
    if skill is not None or role:
        Preference.objects.create(guild_id=event.guild_id, member=member, skill=skill, role=role)
    return member
